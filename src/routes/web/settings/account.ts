import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { flash } from "../../../http/flash";
import { consumeOrThrow } from "../../../services/rate-limits";
import { formValues, type Valid } from "../../../http/validate";
import { ValidationError } from "../../../lib/errors";
import { emailSchema, handleSchema } from "../../../lib/handles";
import { exportUserData } from "../../../services/data-export";
import { deleteAccount } from "../../../services/delete-account";
import { cancelEmailChange, pendingEmailChange, requestEmailChange } from "../../../services/email-change";
import { requestMeta } from "../../../http/request-meta";
import { recordSecurityEvent } from "../../../services/security-log";
import { changeUsername } from "../../../services/username-change";

/** POST /settings/account/username. */
export const UsernameForm = z.object({ username: handleSchema });

/**
 * POST /settings/account/email. Who is asking was proven by the route's re-authentication step
 * (sudo mode), the one way every sensitive form asks for it: the form does not ask for the password.
 */
export const EmailChangeForm = z.object({ email: emailSchema });

/** POST /settings/account/delete. */
export const DeleteAccountForm = z.object({
  username_confirmation: z.string().trim().min(1, "Type your username to confirm."),
});

/** GET /settings/account — username, email address, data export and account deletion (and a form again on a 422). */
export async function showAccountSettings(req: Request, res: Response) {
  const user = req.user!;
  res.render("settings/account/index", {
    title: "Account",
    section: "account",
    values: { username: user.username, ...formValues(res, {}) },
    pending: await pendingEmailChange(user.id),
  });
}

/** POST /settings/account/username — renames the account (same rules as signup). */
export async function submitUsernameChange(req: Valid<typeof UsernameForm>, res: Response) {
  const user = await changeUsername(req.user!, req.body.username, requestMeta(req));
  flash(req, "success", `Your username is now ${user.username}.`);
  res.redirect("/settings/account");
}

/**
 * POST /settings/account/email — after the route's fresh proof of identity, mails a link to the new
 * address and a notice to the current one. The reply is the same whether or not the new address
 * belongs to another account (see requestEmailChange).
 */
export function submitEmailChange(ctx: AppContext) {
  return async (req: Valid<typeof EmailChangeForm>, res: Response) => {
    const user = req.user!;
    const { email } = req.body;
    if (email.toLowerCase() === user.email.toLowerCase()) throw new ValidationError({ email: "That is already your email address." });
    await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
    await consumeOrThrow(ctx.limits.emailPerAccount, `email-change:${user.id}`);
    await requestEmailChange(ctx, user, email, requestMeta(req));
    flash(req, "success", `We sent a confirmation link to ${email}. Your address changes when you follow it.`);
    res.redirect("/settings/account");
  };
}

/** POST /settings/account/email/cancel — cancels the pending email change. */
export async function submitCancelEmailChange(req: Request, res: Response) {
  const cancelled = await cancelEmailChange(req.user!.id, requestMeta(req));
  flash(req, "info", cancelled ? "The email change was cancelled; its link no longer works." : "There was no pending email change.");
  res.redirect("/settings/account");
}

/**
 * POST /settings/account/export — downloads everything Gatehouse holds about the user as JSON. A
 * POST (with the CSRF token), so no other site can make a browser fetch it.
 */
export function submitDataExport(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = req.user!;
    await recordSecurityEvent(user.id, "data.exported", requestMeta(req));
    const data = await exportUserData(user, { baseUrl: ctx.config.baseUrl });
    const day = new Date().toISOString().slice(0, 10);
    res.setHeader("Cache-Control", "no-store");
    res.attachment(`gatehouse-${user.username}-${day}.json`);
    res.type("application/json").send(JSON.stringify(data, null, 2));
  };
}

/**
 * POST /settings/account/delete — deletes the account after the username typed again (and the
 * route's fresh proof of identity), then signs this browser out (the other sessions were deleted with the account).
 */
export function submitDeleteAccount(ctx: AppContext) {
  return async (req: Valid<typeof DeleteAccountForm>, res: Response) => {
    const user = req.user!;
    await deleteAccount(ctx, user, { usernameConfirmation: req.body.username_confirmation }, requestMeta(req));
    // The session row is already gone; regenerate so this response does not write it back.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    flash(req, "success", "Your account has been deleted. Goodbye, and thank you for using Gatehouse.");
    res.redirect("/");
  };
}
