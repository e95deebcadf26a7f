import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { newPasswordSchema } from "../../../auth/passwords";
import { flash } from "../../../http/flash";
import { renewSessionId } from "../../../http/sign-in";
import type { Valid } from "../../../http/validate";
import { changePassword } from "../../../services/password-change";
import { requestMeta } from "../../../http/request-meta";

const MISMATCH = { path: ["password_confirmation"], message: "The two passwords do not match." };

/**
 * POST /settings/password: the new password twice, under the signup rules (the minimum length is
 * an instance setting). Who is asking was proven by the route's re-authentication step (sudo
 * mode), the one way every sensitive form asks for it: the form does not ask for the current one.
 */
export function passwordForm(passwordMinLength: number) {
  return z
    .object({ password: newPasswordSchema(passwordMinLength), password_confirmation: z.string() })
    .refine((f) => f.password === f.password_confirmation, MISMATCH);
}

/** GET /settings/password — change the password, or set one for an account without a password (and the form again on a 422). */
export function showPasswordSettings(req: Request, res: Response) {
  const hasPassword = req.user!.password_hash !== null;
  res.render("settings/password/index", { title: "Password", section: "password", hasPassword, values: {} });
}

/**
 * POST /settings/password — after the route's fresh proof of identity, applies the signup
 * rules to the new one, ends every other session and gives this one a new id.
 */
export function submitPasswordSettings(ctx: AppContext) {
  return async (req: Valid<ReturnType<typeof passwordForm>>, res: Response) => {
    const user = req.user!;
    const hasPassword = user.password_hash !== null;
    await changePassword(ctx, user, { password: req.body.password }, req.sessionID, requestMeta(req));
    await renewSessionId(req);
    flash(req, "success", hasPassword
      ? "Your password has been changed. Every other session was signed out."
      : "Your password has been set. You can now sign in with it. Every other session was signed out.");
    res.redirect("/settings/password");
  };
}
