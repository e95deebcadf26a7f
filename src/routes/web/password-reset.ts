import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { newPasswordSchema } from "../../auth/passwords";
import { emailSchema } from "../../lib/handles";
import { parseBody, keptValues } from "../../http/validate";
import { consumeOrThrow } from "../../http/rate-limits";
import { flash } from "../../http/flash";
import { findUserForResetToken, requestPasswordReset, resetPassword } from "../../services/password-reset";
import { requestMeta } from "../../services/request-meta";
import { listIdentitiesForReview } from "../../services/identities";

const ForgotForm = z.object({ email: emailSchema });

/** GET /password/forgot — asks for the account's email. */
export function showForgot(_req: Request, res: Response) {
  res.render("auth/forgot", { title: "Reset your password", values: {}, errors: {} });
}

/**
 * POST /password/forgot — always the same answer, given before the lookup runs, so neither the page
 * nor its timing tells whether the address has an account.
 */
export function submitForgot(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const parsed = parseBody(ForgotForm, req.body);
    if (!parsed.ok) return res.status(422).render("auth/forgot", { title: "Reset your password", values: keptValues(req.body), errors: parsed.errors });
    await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
    await consumeOrThrow(ctx.limits.emailPerAccount, `reset:${parsed.data.email.toLowerCase()}`);
    setImmediate(() => {
      requestPasswordReset(ctx, parsed.data.email).catch((err) => req.log.error({ err }, "password reset request failed"));
    });
    res.render("auth/check-email", { title: "Check your email", email: parsed.data.email, reason: "reset" });
  };
}

/** GET /password/reset/:token — the new-password form, or "link expired". */
export async function showReset(req: Request, res: Response) {
  const user = await findUserForResetToken(String(req.params.token));
  if (!user) return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "reset" });
  res.render("auth/reset", { title: "Choose a new password", token: req.params.token, user, errors: {}, linkedIdentities: await listIdentitiesForReview(user.id) });
}

/** POST /password/reset/:token — sets the new password, signs out everywhere, asks to sign in. */
export function submitReset(ctx: AppContext) {
  const ResetForm = z
    .object({ password: newPasswordSchema(ctx.config.passwordMinLength), password_confirmation: z.string() })
    .refine((f) => f.password === f.password_confirmation, { path: ["password_confirmation"], message: "The two passwords do not match." });
  return async (req: Request, res: Response) => {
    const token = String(req.params.token);
    const user = await findUserForResetToken(token);
    if (!user) return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "reset" });
    const rerender = (errors: Record<string, string>) =>
      res.status(422).render("auth/reset", { title: "Choose a new password", token, user, errors });
    const parsed = parseBody(ResetForm, req.body);
    if (!parsed.ok) return rerender(parsed.errors);
    const result = await resetPassword(ctx, token, parsed.data.password, requestMeta(req));
    if (!result.ok) {
      if (result.reason === "weak") return rerender({ password: result.message });
      return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "reset" });
    }
    // The reset ended every session, this browser's included; sign in again with the new password.
    req.session.regenerate(() => {
      flash(req, "success", "Your password has been changed and every session was signed out. Sign in with your new password.");
      res.redirect("/login");
    });
  };
}
