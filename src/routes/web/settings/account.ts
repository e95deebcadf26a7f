import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import type { UserRow } from "../../../db/users";
import { flash } from "../../../http/flash";
import { consumeOrThrow } from "../../../services/rate-limits";
import { formValues, type Valid } from "../../../http/validate";
import { refuseUnlessOk, ValidationError } from "../../../lib/errors";
import { emailSchema, handleSchema } from "../../../lib/handles";
import { exportUserData } from "../../../services/data-export";
import { deleteAccount, SET_PASSWORD_FIRST } from "../../../services/delete-account";
import { cancelEmailChange, pendingEmailChange, requestEmailChange } from "../../../services/email-change";
import { checkCurrentPassword } from "../../../services/reauthenticate";
import { requestMeta } from "../../../http/request-meta";
import { recordSecurityEvent } from "../../../services/security-log";
import { changeUsername } from "../../../services/username-change";

/** POST /settings/account/username. */
export const UsernameForm = z.object({ username: handleSchema });

/** POST /settings/account/email. */
export const EmailChangeForm = z.object({
  email: emailSchema,
  current_password: z.string().min(1, "Enter your current password.").max(1024, "That password is too long."),
});

/** POST /settings/account/delete. */
export const DeleteAccountForm = z.object({
  username_confirmation: z.string().trim().min(1, "Type your username to confirm."),
  password: z.string().min(1, "Enter your current password.").max(1024, "That password is too long."),
});

/** GET /settings/account — username, email address, data export and account deletion (and a form again on a 422). */
export async function showAccountSettings(req: Request, res: Response) {
  const user = req.user!;
  res.render("settings/account/index", {
    title: "Account",
    section: "account",
    values: { username: user.username, ...formValues(res, {}) },
    pending: await pendingEmailChange(user.id),
    hasPassword: !!user.password_hash,
  });
}

/** Without a password there is nothing to re-authenticate with; the page links to setting one. */
function requirePassword(user: UserRow, message: string) {
  if (!user.password_hash) throw new ValidationError({ _form: message });
}

/** POST /settings/account/username — renames the account (same rules as signup). */
export async function submitUsernameChange(req: Valid<typeof UsernameForm>, res: Response) {
  const user = await changeUsername(req.user!, req.body.username, requestMeta(req));
  flash(req, "success", `Your username is now ${user.username}.`);
  res.redirect("/settings/account");
}

/**
 * POST /settings/account/email — asks for the current password, then mails a link to the new
 * address and a notice to the current one. The reply is the same whether or not the new address
 * belongs to another account (see requestEmailChange).
 */
export function submitEmailChange(ctx: AppContext) {
  return async (req: Valid<typeof EmailChangeForm>, res: Response) => {
    const user = req.user!;
    const { email, current_password } = req.body;
    requirePassword(user, "Set a password first: changing your email address asks for it.");
    if (email.toLowerCase() === user.email.toLowerCase()) throw new ValidationError({ email: "That is already your email address." });
    if (!(await checkCurrentPassword(ctx, user, current_password))) throw new ValidationError({ current_password: "That is not your current password." });
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
 * POST /settings/account/delete — deletes the account after the username typed again and the
 * password, then signs this browser out (the other sessions were deleted with the account).
 */
export function submitDeleteAccount(ctx: AppContext) {
  return async (req: Valid<typeof DeleteAccountForm>, res: Response) => {
    const user = req.user!;
    requirePassword(user, SET_PASSWORD_FIRST);
    refuseUnlessOk(await deleteAccount(ctx, user, { usernameConfirmation: req.body.username_confirmation, password: req.body.password }, requestMeta(req)));
    // The session row is already gone; regenerate so this response does not write it back.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    flash(req, "success", "Your account has been deleted. Goodbye, and thank you for using Gatehouse.");
    res.redirect("/");
  };
}
