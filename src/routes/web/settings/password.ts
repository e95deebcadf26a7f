import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { newPasswordSchema } from "../../../auth/passwords";
import { flash } from "../../../http/flash";
import { renewSessionId } from "../../../http/sign-in";
import { parseBody } from "../../../http/validate";
import type { FieldErrors } from "../../../lib/errors";
import { changePassword } from "../../../services/password-change";
import { requestMeta } from "../../../http/request-meta";

const MISMATCH = { path: ["password_confirmation"], message: "The two passwords do not match." };

function render(req: Request, res: Response, errors: FieldErrors, status = 200) {
  // Accounts created through a provider have no password yet: they set one instead of changing it.
  const hasPassword = req.user!.password_hash !== null;
  res.status(status).render("settings/password/index", { title: "Password", section: "password", hasPassword, errors, values: {} });
}

/** GET /settings/password — change the password, or set one for an account without a password. */
export function showPasswordSettings(req: Request, res: Response) {
  render(req, res, {});
}

/**
 * POST /settings/password — after the route's fresh proof of identity, applies the signup
 * rules to the new one, ends every other session and gives this one a new id.
 */
export function submitPasswordSettings(ctx: AppContext) {
  // Built per request: the minimum length is an instance setting an admin can change. Who is asking
  // was proven by the route's re-authentication step (sudo mode), the one way every sensitive form
  // asks for it: the form itself no longer asks for the current password.
  const passwordForm = (minLength: number) => z
    .object({ password: newPasswordSchema(minLength), password_confirmation: z.string() })
    .refine((f) => f.password === f.password_confirmation, MISMATCH);

  return async (req: Request, res: Response) => {
    const user = req.user!;
    const hasPassword = user.password_hash !== null;
    const parsed = parseBody(passwordForm(ctx.settings.current().passwordMinLength), req.body);
    if (!parsed.ok) return render(req, res, parsed.errors, 422);
    const input = { password: parsed.data.password };
    const result = await changePassword(ctx, user, input, req.sessionID, requestMeta(req));
    if (!result.ok) return render(req, res, result.errors, 422);
    await renewSessionId(req);
    flash(req, "success", hasPassword
      ? "Your password has been changed. Every other session was signed out."
      : "Your password has been set. You can now sign in with it. Every other session was signed out.");
    res.redirect("/settings/password");
  };
}
