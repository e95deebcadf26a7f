import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import type { UserRow } from "../../../db/users";
import { flash } from "../../../http/flash";
import { consumeOrThrow } from "../../../services/rate-limits";
import { keptValues, parseBody } from "../../../http/validate";
import type { FieldErrors } from "../../../lib/errors";
import { emailSchema, handleSchema } from "../../../lib/handles";
import { exportUserData } from "../../../services/data-export";
import { deleteAccount } from "../../../services/delete-account";
import { cancelEmailChange, pendingEmailChange, requestEmailChange } from "../../../services/email-change";
import { requestMeta } from "../../../http/request-meta";
import { recordSecurityEvent } from "../../../services/security-log";
import { changeUsername } from "../../../services/username-change";

const UsernameForm = z.object({ username: handleSchema });

// Who is asking was proven by the route's re-authentication step (sudo mode), the one way every
// sensitive form asks for it; these forms no longer ask for the password themselves.
const EmailChangeForm = z.object({ email: emailSchema });

const DeleteAccountForm = z.object({
  username_confirmation: z.string().trim().min(1, "Type your username to confirm."),
});

async function render(res: Response, user: UserRow, opts: { values?: Record<string, string>; errors?: FieldErrors; status?: number } = {}) {
  res.status(opts.status ?? 200).render("settings/account/index", {
    title: "Account",
    section: "account",
    values: { username: user.username, ...opts.values },
    errors: opts.errors ?? {},
    pending: await pendingEmailChange(user.id),
  });
}

/** GET /settings/account — username, email address, data export and account deletion. */
export async function showAccountSettings(req: Request, res: Response) {
  await render(res, req.user!);
}

/** POST /settings/account/username — renames the account (same rules as signup). */
export async function submitUsernameChange(req: Request, res: Response) {
  const user = req.user!;
  const parsed = parseBody(UsernameForm, req.body);
  if (!parsed.ok) return render(res, user, { values: keptValues(req.body), errors: parsed.errors, status: 422 });
  const result = await changeUsername(user, parsed.data.username, requestMeta(req));
  if (!result.ok) return render(res, user, { values: keptValues(req.body), errors: result.errors, status: 422 });
  flash(req, "success", `Your username is now ${result.user.username}.`);
  res.redirect("/settings/account");
}

/**
 * POST /settings/account/email — after the route's fresh proof of identity, mails a link to the new
 * address and a notice to the current one. The reply is the same whether or not the new address
 * belongs to another account (see requestEmailChange).
 */
export function submitEmailChange(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = req.user!;
    const values = keptValues(req.body);
    const parsed = parseBody(EmailChangeForm, req.body);
    if (!parsed.ok) return render(res, user, { values, errors: parsed.errors, status: 422 });
    if (parsed.data.email.toLowerCase() === user.email.toLowerCase()) {
      return render(res, user, { values, errors: { email: "That is already your email address." }, status: 422 });
    }
    await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
    await consumeOrThrow(ctx.limits.emailPerAccount, `email-change:${user.id}`);
    await requestEmailChange(ctx, user, parsed.data.email, requestMeta(req));
    flash(req, "success", `We sent a confirmation link to ${parsed.data.email}. Your address changes when you follow it.`);
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
  return async (req: Request, res: Response) => {
    const user = req.user!;
    const values = keptValues(req.body);
    const parsed = parseBody(DeleteAccountForm, req.body);
    if (!parsed.ok) return render(res, user, { values, errors: parsed.errors, status: 422 });
    const result = await deleteAccount(ctx, user, { usernameConfirmation: parsed.data.username_confirmation }, requestMeta(req));
    if (!result.ok) return render(res, user, { values, errors: result.errors, status: 422 });
    // The session row is already gone; regenerate so this response does not write it back.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    flash(req, "success", "Your account has been deleted. Goodbye, and thank you for using Gatehouse.");
    res.redirect("/");
  };
}
