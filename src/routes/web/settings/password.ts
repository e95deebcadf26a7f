import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { newPasswordSchema } from "../../../auth/passwords";
import { flash } from "../../../http/flash";
import { renewSessionId } from "../../../http/sign-in";
import type { Valid } from "../../../http/validate";
import { refuseUnlessOk } from "../../../lib/errors";
import { changePassword } from "../../../services/password-change";
import { requestMeta } from "../../../http/request-meta";

const MISMATCH = { path: ["password_confirmation"], message: "The two passwords do not match." };

/**
 * POST /settings/password: the current password (when the account has one) and the new one twice,
 * under the signup rules (the minimum length is configured). Accounts created through a provider
 * have no password yet: they set one instead of changing it, so the schema depends on the account.
 */
export function passwordForm(passwordMinLength: number) {
  const password = newPasswordSchema(passwordMinLength);
  const SetForm = z
    .object({ current_password: z.unknown().optional().transform(() => undefined), password, password_confirmation: z.string() })
    .refine((f) => f.password === f.password_confirmation, MISMATCH);
  const ChangeForm = z
    .object({
      current_password: z.string().min(1, "Enter your current password.").max(1024, "That password is too long."),
      password,
      password_confirmation: z.string(),
    })
    .refine((f) => f.password === f.password_confirmation, MISMATCH);
  return (req: Request): typeof ChangeForm | typeof SetForm => (req.user!.password_hash !== null ? ChangeForm : SetForm);
}

/** GET /settings/password — change the password, or set one for an account without a password (and the form again on a 422). */
export function showPasswordSettings(req: Request, res: Response) {
  const hasPassword = req.user!.password_hash !== null;
  res.render("settings/password/index", { title: "Password", section: "password", hasPassword, values: {} });
}

/**
 * POST /settings/password — checks the current password (when there is one), applies the signup
 * rules to the new one, ends every other session and gives this one a new id.
 */
export function submitPasswordSettings(ctx: AppContext) {
  return async (req: Valid<ReturnType<ReturnType<typeof passwordForm>>>, res: Response) => {
    const user = req.user!;
    const hasPassword = user.password_hash !== null;
    const input = { currentPassword: req.body.current_password, password: req.body.password };
    refuseUnlessOk(await changePassword(ctx, user, input, req.sessionID, requestMeta(req)));
    await renewSessionId(req);
    flash(req, "success", hasPassword
      ? "Your password has been changed. Every other session was signed out."
      : "Your password has been set. You can now sign in with it. Every other session was signed out.");
    res.redirect("/settings/password");
  };
}
