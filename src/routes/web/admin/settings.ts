import type { Request, Response } from "express";
import { z } from "zod";
import { enabledProviders } from "../../../auth/providers";
import type { AppContext } from "../../../context";
import { flash } from "../../../http/flash";
import { adminContext } from "../../../http/require-site-admin";
import type { Valid } from "../../../http/validate";
import type { InstanceSettingsValues } from "../../../services/instance-settings";
import { InstanceSettingsBody, SETTING_FIELDS, settingsToFields, updateInstanceSettings } from "../../../services/instance-settings-update";
import { ADMIN_SECTIONS } from "./helpers";

type Field = keyof ReturnType<typeof settingsToFields>;

/**
 * What the admin typed, when the page is shown again for a refused form: the checkbox is sent only
 * when ticked, so its absence is "off" rather than "as stored".
 */
function typedValues(res: Response): Record<string, unknown> {
  if (res.locals.refusedValues !== "values") return {};
  const typed = res.locals.values as Record<string, string>;
  return { ...typed, signup_email_domains: typed.signup_email_domains ?? "", require_two_factor: typed.require_two_factor === "on" };
}

function render(ctx: AppContext, res: Response) {
  const locked = ctx.settings.lockedKeys();
  const lockedFields: Record<string, string> = {};
  for (const key of locked) lockedFields[SETTING_FIELDS[key].field] = SETTING_FIELDS[key].env;
  const effective = settingsToFields(ctx.settings.current());
  res.render("admin/settings", {
    title: "Instance settings",
    section: "settings",
    adminSections: ADMIN_SECTIONS,
    // Locked fields show the environment's value; the others what was typed, or what is stored.
    values: { ...effective, ...typedValues(res), ...Object.fromEntries(Object.keys(lockedFields).map((f) => [f, effective[f as Field]])) },
    lockedFields,
    providers: enabledProviders(ctx.config),
  });
}

/** GET /admin/settings — the instance settings, those set by the environment shown locked (and the form again on a 422). */
export function showInstanceSettings(ctx: AppContext) {
  return (_req: Request, res: Response) => render(ctx, res);
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

/** POST /admin/settings: the form's fields turned into the API's shape (changesFromForm), then the API's schema. */
export function instanceSettingsForm(ctx: AppContext) {
  return z.preprocess((body) => changesFromForm(ctx, (body ?? {}) as Record<string, unknown>), InstanceSettingsBody);
}

/**
 * POST /admin/settings — stores the settings; they apply at once in this process, within seconds in
 * others. The service's refusals (a locked setting, an idle timeout longer than a session) are
 * shown beside their fields like the schema's.
 */
export function submitInstanceSettings(ctx: AppContext) {
  return async (req: Valid<ReturnType<typeof instanceSettingsForm>>, res: Response) => {
    const changed = await updateInstanceSettings(ctx, adminContext(req), req.body);
    flash(req, "success", changed.length ? "Instance settings saved." : "Nothing changed.");
    res.redirect("/admin/settings");
  };
}
