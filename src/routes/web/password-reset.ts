import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { newPasswordSchema } from "../../auth/passwords";
import { emailSchema } from "../../lib/handles";
import { formValues, type Valid } from "../../http/validate";
import { consumeOrThrow } from "../../services/rate-limits";
import { flash } from "../../http/flash";
import { findUserForResetToken, requestPasswordReset, resetPassword } from "../../services/password-reset";
import { requestMeta } from "../../http/request-meta";
import { providerLabel } from "../../services/external-sign-in";
import { listForResetReview, type RecoverySummary } from "../../services/account-recovery";
import { hasTwoFactorEnabled } from "../../db/totp-credentials";

/** POST /password/forgot. */
export const ForgotForm = z.object({ email: emailSchema });

/** GET /password/forgot — asks for the account's email (and again on a 422). */
export function showForgot(_req: Request, res: Response) {
  res.render("auth/forgot", { title: "Reset your password" });
}

/**
 * POST /password/forgot — always the same answer, given before the lookup runs, so neither the page
 * nor its timing tells whether the address has an account.
 */
export function submitForgot(ctx: AppContext) {
  return async (req: Valid<typeof ForgotForm>, res: Response) => {
    const { email } = req.body;
    await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
    await consumeOrThrow(ctx.limits.emailPerAccount, `reset:${email.toLowerCase()}`);
    setImmediate(() => {
      requestPasswordReset(ctx, email).catch((err) => req.log.error({ err }, "password reset request failed"));
    });
    res.render("auth/check-email", { title: "Check your email", email, reason: "reset" });
  };
}

/**
 * The reset form's defaults. Revoking every personal access token is checked: a token works without
 * a session or the password, so one made by whoever had the account would outlive the reset, and
 * its description (chosen by its maker) cannot tell the owner whose it is; the cost of a wrong
 * revocation is making a new token. Disconnecting every identity is not checked: each one is
 * listed by its provider account name, which the owner recognises, linking one needed a confirmed
 * address, a fresh sign-in and mailed a notice, and the ones that could be a squatter's (attached
 * before the address was proven) are removed whatever is chosen.
 */
const RESET_DEFAULTS = { revoke_tokens: "yes" } as const;

/** GET /password/reset/:token — the new-password form with what the reset keeps and ends (again on a 422), or "link expired". */
export async function showReset(req: Request, res: Response) {
  const user = await findUserForResetToken(String(req.params.token));
  if (!user) return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "reset" });
  // A reset proves the mailbox, not the second factor, so it leaves 2FA on and says so up front.
  const twoFactor = await hasTwoFactorEnabled(user.id);
  res.render("auth/reset", { title: "Choose a new password", token: req.params.token, user, twoFactor, values: formValues(res, RESET_DEFAULTS), ...(await listForResetReview(user.id)) });
}

/** The result message lines: what the reset ended and what it kept. */
function resultMessages(recovery: RecoverySummary): string[] {
  const lines = ["Your password has been changed and every session was signed out, this one included. Pending email changes were cancelled."];
  const tokenNames = (rows: { description: string }[]) => rows.map((t) => `"${t.description}"`).join(", ");
  if (recovery.tokensRevoked.length) lines.push(`Revoked ${recovery.tokensRevoked.length} personal access token${recovery.tokensRevoked.length === 1 ? "" : "s"}: ${tokenNames(recovery.tokensRevoked)}.`);
  if (recovery.tokensKept.length) lines.push(`Kept ${recovery.tokensKept.length} personal access token${recovery.tokensKept.length === 1 ? "" : "s"}: ${tokenNames(recovery.tokensKept)}.`);
  for (const i of recovery.identitiesRemoved) {
    const why = i.unproven ? " (it was connected before your email address was confirmed)" : "";
    lines.push(`Disconnected ${providerLabel(i.provider)} account ${i.provider_username}${why}.`);
  }
  for (const i of recovery.identitiesKept) lines.push(`${providerLabel(i.provider)} account ${i.provider_username} stays connected.`);
  return lines;
}

/** POST /password/reset/:token: the new password twice (the minimum length is configured), and what to end. */
export function resetForm(passwordMinLength: number) {
  return z
    .object({
      password: newPasswordSchema(passwordMinLength),
      password_confirmation: z.string(),
      // Checkboxes: present when ticked. Unticked ones are not sent at all, as browsers do.
      revoke_tokens: z.literal("yes").optional(),
      disconnect_identities: z.literal("yes").optional(),
    })
    .refine((f) => f.password === f.password_confirmation, { path: ["password_confirmation"], message: "The two passwords do not match." });
}

/** POST /password/reset/:token — sets the new password, signs out everywhere, asks to sign in. */
export function submitReset(ctx: AppContext) {
  return async (req: Valid<ReturnType<typeof resetForm>>, res: Response) => {
    const token = String(req.params.token);
    const user = await findUserForResetToken(token);
    if (!user) return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "reset" });
    const choices = { revokeTokens: req.body.revoke_tokens === "yes", disconnectIdentities: req.body.disconnect_identities === "yes" };
    const result = await resetPassword(ctx, token, req.body.password, requestMeta(req), choices);
    if (!result.ok) return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "reset" });
    // The reset ended every session, this browser's included; sign in again with the new password.
    const twoFactor = await hasTwoFactorEnabled(user.id);
    req.session.regenerate(() => {
      for (const line of resultMessages(result.recovery)) flash(req, "success", line);
      if (twoFactor) flash(req, "info", "Two-factor authentication stays on: the next sign-in asks for a code from your app or a recovery code.");
      flash(req, "info", "Sign in with your new password.");
      // Following the mailed link proved this browser's person holds the account: fill in its name.
      req.session.loginHint = { username: user.username, returning: true };
      res.redirect("/login");
    });
  };
}
