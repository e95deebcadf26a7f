import type { Request, Response } from "express";
import { enabledProviders } from "../../../auth/providers";
import type { AppContext } from "../../../context";
import { flash } from "../../../http/flash";
import { adminContext } from "../../../http/require-site-admin";
import { parseBody } from "../../../http/validate";
import type { InstanceSettingsValues } from "../../../services/instance-settings";
import { InstanceSettingsBody, SETTING_FIELDS, settingsToFields, updateInstanceSettings } from "../../../services/instance-settings-update";
import { ADMIN_SECTIONS } from "./helpers";

type Field = keyof ReturnType<typeof settingsToFields>;

function render(ctx: AppContext, res: Response, status: number, errors: Record<string, string> = {}, values?: Record<string, unknown>) {
  const locked = ctx.settings.lockedKeys();
  const lockedFields: Record<string, string> = {};
  for (const key of locked) lockedFields[SETTING_FIELDS[key].field] = SETTING_FIELDS[key].env;
  const effective = settingsToFields(ctx.settings.current());
  res.status(status).render("admin/settings", {
    title: "Instance settings",
    section: "settings",
    adminSections: ADMIN_SECTIONS,
    // Locked fields show the environment's value; the others what was typed, or what is stored.
    values: { ...effective, ...values, ...Object.fromEntries(Object.keys(lockedFields).map((f) => [f, effective[f as Field]])) },
    lockedFields,
    providers: enabledProviders(ctx.config),
    errors,
  });
}

/** GET /admin/settings — the instance settings, those set by the environment shown locked. */
export function showInstanceSettings(ctx: AppContext) {
  return (_req: Request, res: Response) => render(ctx, res, 200);
}

const asNumber = (value: unknown) => (typeof value === "string" && /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : value);
const asList = (value: unknown) => (typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value);
const asArray = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * The form's fields in the API's shape. Locked settings are left out (their inputs are disabled and
 * not sent; a crafted post of one would be refused by the service anyway). Unticked checkboxes are
 * not sent at all, so their absence means "off"; providers are ticked to show, stored as the hidden rest.
 */
function changesFromForm(ctx: AppContext, body: Record<string, unknown>): Record<string, unknown> {
  const locked = new Set([...ctx.settings.lockedKeys()].map((k) => SETTING_FIELDS[k].field));
  const configured = enabledProviders(ctx.config).map((p) => p.name);
  const shown = asArray(body.shown_providers);
  const stored: InstanceSettingsValues = ctx.settings.storedValues();
  const fields: Record<string, unknown> = {
    signup_mode: body.signup_mode,
    signup_email_domains: asList(body.signup_email_domains ?? ""),
    // Providers that are not configured now keep whatever they had; they show no checkbox.
    hidden_providers: [...stored.hiddenProviders.filter((p) => !configured.includes(p)), ...configured.filter((p) => !shown.includes(p))],
    password_min_length: asNumber(body.password_min_length),
    require_two_factor: body.require_two_factor === "on",
    session_idle_minutes: asNumber(body.session_idle_minutes),
    session_max_hours: asNumber(body.session_max_hours),
    remembered_session_days: asNumber(body.remembered_session_days),
  };
  for (const f of locked) delete fields[f];
  return fields;
}

/** POST /admin/settings — validates and stores the settings; they apply at once in this process, within seconds in others. */
export function submitInstanceSettings(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = { ...body, signup_email_domains: typeof body.signup_email_domains === "string" ? body.signup_email_domains : "", require_two_factor: body.require_two_factor === "on" };
    const parsed = parseBody(InstanceSettingsBody, changesFromForm(ctx, body));
    if (!parsed.ok) return render(ctx, res, 422, parsed.errors, typed);
    const result = await updateInstanceSettings(ctx, adminContext(req), parsed.data);
    if (!result.ok) return render(ctx, res, 422, result.errors, typed);
    flash(req, "success", result.changed.length ? "Instance settings saved." : "Nothing changed.");
    res.redirect("/admin/settings");
  };
}
