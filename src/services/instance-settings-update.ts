import { z } from "zod";
import type { AppContext } from "../context";
import { ValidationError, type FieldErrors } from "../lib/errors";
import { recordAdminAction, type AdminContext } from "./admin-audit";
import type { InstanceSettingsValues } from "./instance-settings";

/** The field name (forms and the API) of each setting, and the environment variable that locks it. */
export const SETTING_FIELDS: Record<keyof InstanceSettingsValues, { field: string; env: string }> = {
  signupMode: { field: "signup_mode", env: "SIGNUP_MODE" },
  signupEmailDomains: { field: "signup_email_domains", env: "SIGNUP_EMAIL_DOMAINS" },
  hiddenProviders: { field: "hidden_providers", env: "SIGN_IN_PROVIDERS" },
  passwordMinLength: { field: "password_min_length", env: "PASSWORD_MIN_LENGTH" },
  requireTwoFactor: { field: "require_two_factor", env: "REQUIRE_TWO_FACTOR" },
  sessionIdleMinutes: { field: "session_idle_minutes", env: "SESSION_IDLE_MINUTES" },
  sessionMaxHours: { field: "session_max_hours", env: "SESSION_MAX_HOURS" },
  rememberedSessionDays: { field: "remembered_session_days", env: "SESSION_REMEMBER_DAYS" },
};

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "Use domain names like example.com, without @ or spaces.");
const whole = (min: number, max: number, unit: string) => z.number("Use a whole number.").int("Use a whole number.").min(min, `Use at least ${min} ${unit}.`).max(max, `Use at most ${max} ${unit}.`);

/**
 * The settings as the API and the admin form send them (snake_case; every field optional, a PATCH).
 * The ranges are also the table's CHECK constraints.
 */
export const InstanceSettingsBody = z.strictObject({
  signup_mode: z.enum(["open", "invite_only", "closed"], "Choose open, invite_only or closed."),
  signup_email_domains: z.array(domain).max(50, "Use at most 50 domains."),
  hidden_providers: z.array(z.enum(["github", "gitlab", "atlassian", "google"], "Use github, gitlab, atlassian or google.")),
  password_min_length: whole(8, 128, "characters"),
  require_two_factor: z.boolean("Use true or false."),
  session_idle_minutes: whole(5, 1440, "minutes"),
  session_max_hours: whole(1, 720, "hours"),
  remembered_session_days: whole(1, 365, "days"),
}).partial();

export type InstanceSettingsChanges = z.infer<typeof InstanceSettingsBody>;

export { settingsToFields } from "./instance-settings";

/**
 * Applies changes to the stored settings and records them (each changed setting, before and after)
 * in the admin audit log, in one transaction. A setting the environment locks cannot be changed
 * here (its field gets the reason), and a session that could idle longer than it may last at all is
 * refused: a ValidationError with a message per field. Nothing is written when anything is refused.
 * Gives back the fields that changed.
 */
export async function updateInstanceSettings(
  ctx: AppContext,
  admin: AdminContext,
  changes: InstanceSettingsChanges,
): Promise<string[]> {
  const locked = ctx.settings.lockedKeys();
  let outcome: string[] = [];
  await ctx.settings.change(async (before, trx) => {
    const next: InstanceSettingsValues = { ...before };
    const errors: FieldErrors = {};
    for (const [key, { field, env }] of Object.entries(SETTING_FIELDS) as [keyof InstanceSettingsValues, { field: string; env: string }][]) {
      const value = (changes as Record<string, unknown>)[field];
      if (value === undefined) continue;
      if (locked.has(key)) {
        errors[field] = `Set by the environment variable ${env}; change it there.`;
        continue;
      }
      (next as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? [...new Set(value)] : value;
    }
    const effective = { ...next, ...ctx.config.instanceSettingsFromEnv };
    if (effective.sessionIdleMinutes > effective.sessionMaxHours * 60) {
      errors.session_idle_minutes ??= "The idle timeout cannot be longer than the longest a session lasts.";
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    const changed = (Object.keys(SETTING_FIELDS) as (keyof InstanceSettingsValues)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
    outcome = changed.map((k) => SETTING_FIELDS[k].field);
    if (changed.length === 0) return undefined;
    const diff = Object.fromEntries(changed.map((k) => [SETTING_FIELDS[k].field, { from: before[k], to: next[k] }]));
    await recordAdminAction(admin, "instance_settings.updated", { type: "instance", id: null, label: "instance settings" }, diff, trx);
    return next;
  });
  return outcome;
}
