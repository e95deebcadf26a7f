import type { Request, Response } from "express";
import { z } from "zod";
import { flash } from "../../../http/flash";
import type { Valid } from "../../../http/validate";
import { emailPreferencesFor, saveEmailPreferences } from "../../../services/notification-preferences";

/**
 * POST /settings/notifications. Checkboxes only ever send "on" or nothing; anything else is a
 * forged request, answered plainly (one message for the form, see the route map).
 * The form has no field for security mail on purpose: zod keeps only these two fields, so a forged
 * `security=off` is dropped here, and the database refuses a security row anyway.
 */
export const NotificationsForm = z.object({
  organization: z.literal("on").optional(),
  product: z.literal("on").optional(),
});

/** The one message for a refused notifications form: only a forged request gets it wrong. */
export const NOTIFICATIONS_UNREADABLE = "These settings could not be read. Please try again.";

/** GET /settings/notifications — which emails the user receives, per category (and the form again on a 422). */
export async function showNotificationSettings(req: Request, res: Response) {
  const prefs = await emailPreferencesFor(req.user!.id);
  res.render("settings/notifications/index", { title: "Notifications", section: "notifications", prefs });
}

/** POST /settings/notifications — saves the on/off choice of each optional category. */
export async function submitNotificationSettings(req: Valid<typeof NotificationsForm>, res: Response) {
  await saveEmailPreferences(req.user!.id, { organization: req.body.organization === "on", product: req.body.product === "on" });
  flash(req, "success", "Your notification settings have been saved.");
  res.redirect("/settings/notifications");
}
