import type { Request, Response } from "express";
import { z } from "zod";
import { flash } from "../../../http/flash";
import { parseBody } from "../../../http/validate";
import { emailPreferencesFor, saveEmailPreferences } from "../../../services/notification-preferences";

/**
 * The form has no field for security mail on purpose: zod keeps only these two fields, so a forged
 * `security=off` is dropped here, and the database refuses a security row anyway.
 */
const NotificationsForm = z.object({
  organization: z.literal("on").optional(),
  product: z.literal("on").optional(),
});

/** GET /settings/notifications — which emails the user receives, per category. */
export async function showNotificationSettings(req: Request, res: Response) {
  const prefs = await emailPreferencesFor(req.user!.id);
  res.render("settings/notifications/index", { title: "Notifications", section: "notifications", prefs });
}

/** POST /settings/notifications — saves the on/off choice of each optional category. */
export async function submitNotificationSettings(req: Request, res: Response) {
  const parsed = parseBody(NotificationsForm, req.body);
  // Checkboxes only ever send "on" or nothing; anything else is a forged request, answered plainly.
  if (!parsed.ok) return res.status(422).render("settings/notifications/index", {
    title: "Notifications", section: "notifications", prefs: await emailPreferencesFor(req.user!.id),
    errors: { _form: "These settings could not be read. Please try again." },
  });
  await saveEmailPreferences(req.user!.id, { organization: parsed.data.organization === "on", product: parsed.data.product === "on" });
  flash(req, "success", "Your notification settings have been saved.");
  res.redirect("/settings/notifications");
}
