import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { providerLabel } from "../../services/external-sign-in";
import { previewEmailLink, useEmailLink, type EmailLinkResult } from "../../services/email-links";
import { correctUnconfirmedAddress, pendingConfirmationAddress, resendConfirmation } from "../../services/unconfirmed-address";
import { requestMeta } from "../../http/request-meta";
import { consumeOrThrow } from "../../services/rate-limits";
import { flash } from "../../http/flash";
import { safeNextPath } from "../../http/safe-redirect";
import { beginSignIn, firstRunPath } from "../../http/sign-in";
import type { Valid } from "../../http/validate";
import { emailSchema } from "../../lib/handles";
import type {} from "../../http/session-keys";

function linkGone(res: Response) {
  res.status(410).render("auth/link-invalid", { title: "Link expired", what: "confirmation" });
}

/**
 * GET /email/confirm/:token — shows the address and a button; confirming takes a POST, so mail
 * scanners and link previews that fetch the URL do not use up the link. A used or expired link
 * says so at once, without a button. The page names the identities that confirming here will
 * disconnect: those attached before the address was proven that this browser did not show it
 * holds (services/account-recovery.ts says why).
 */
export async function showConfirmEmail(req: Request, res: Response) {
  const preview = await previewEmailLink(String(req.params.token));
  if (!preview) return linkGone(res);
  const held = req.session?.heldIdentity;
  const toDisconnect = preview.unvouched
    .filter((i) => !(held && held.provider === i.provider && held.providerUserId === i.provider_user_id))
    .map((i) => ({ label: providerLabel(i.provider), account: i.provider_username }));
  res.render("auth/confirm", { title: "Confirm your email", token: req.params.token, address: preview.address, toDisconnect });
}

/** POST /email/confirm/:token — confirms the address of a new account, or completes an email change. */
export async function submitConfirmEmail(req: Request, res: Response) {
  const result = await useEmailLink(String(req.params.token), requestMeta(req), req.session?.heldIdentity);
  if (!result) return linkGone(res);
  if (result.kind === "changed") {
    flash(req, "success", `Your email address is now ${result.user.email}.`);
    if (!req.user) {
      // Following the link proved the mailbox of an account that has been used: greet it by name.
      req.session.loginHint = { username: result.user.username, returning: true };
      return res.redirect("/login");
    }
    return res.redirect(req.user.id === result.user.id ? "/settings/account" : "/");
  }
  delete req.session.heldIdentity;
  // The account this browser signed up, if it did (it is read once, whatever happens next).
  const signedUpHere = req.session.signupUserId === result.user.id;
  delete req.session.signupUserId;
  // The removal left no way to sign in: choose a password now (following the link proved the address).
  if (result.resetToken) {
    flashConfirmed(req, result);
    flash(req, "info", "Choose a password to sign in to your account.");
    return res.redirect(`/password/reset/${result.resetToken}`);
  }
  // Organizations: someone who signed up from an invitation goes back to it (through
  // sign-in when needed). Only a path on this site is followed.
  const returnTo = safeNextPath(req.session.returnTo, "");
  delete req.session.returnTo;
  if (!req.user && signedUpHere && !result.user.suspended_at) {
    // Signed in only in the browser that made the sign-up: it chose the password, and the link
    // proves the mailbox. The link alone signs nobody in, since it may be opened by someone the
    // message was forwarded to, or by whoever reads a mistyped address; they sign in with the
    // password like anyone else. Through beginSignIn, so the session id is new and the sign-in is
    // recorded, and a second factor, were there one, is still asked for.
    const target = await beginSignIn(req, result.user, { remember: false, method: "email_confirmation", next: returnTo || "/" });
    flashConfirmed(req, result);
    return res.redirect(target);
  }
  flashConfirmed(req, result);
  if (req.user) return res.redirect(req.user.id === result.user.id ? firstRunPath(result.user, returnTo || "/") : returnTo || "/");
  // Whoever followed the link holds the mailbox the account's name was sent to: fill it in.
  req.session.loginHint = { username: result.user.username, returning: false };
  res.redirect(returnTo ? `/login?next=${encodeURIComponent(returnTo)}` : "/login");
}

/** The messages of a confirmed address (set after any sign-in, which starts a new session). */
function flashConfirmed(req: Request, result: Extract<EmailLinkResult, { kind: "confirmed" }>) {
  flash(req, "success", "Your email address is confirmed.");
  for (const i of result.removed) {
    flash(req, "warning", `The ${providerLabel(i.provider)} account ${i.provider_username} that was connected before your address was confirmed has been disconnected: it was not connected from this browser. If it is yours, connect it again from Settings, Linked identities.`);
  }
}

/** POST /email/resend — mails a fresh confirmation link; limited per IP and per account. */
export function submitResendConfirmation(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = req.user!;
    await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
    await consumeOrThrow(ctx.limits.emailPerAccount, `confirm:${user.id}`);
    await resendConfirmation(ctx, user);
    flash(req, "success", `We sent a new confirmation link to ${await pendingConfirmationAddress(user)}.`);
    res.redirect("/");
  };
}

/** POST /email/address: the corrected address of an unconfirmed account. */
export const AddressForm = z.object({ email: emailSchema });

/**
 * POST /email/address — an unconfirmed account corrects a mistyped address: the old link stops
 * working and a new one goes to the new address. It shares the resend limits (the same mailbox
 * flooding they guard against), and answers the same whether or not another account has the
 * address (services/unconfirmed-address.ts).
 */
export function submitCorrectAddress(ctx: AppContext) {
  return async (req: Valid<typeof AddressForm>, res: Response) => {
    const user = req.user!;
    if (user.email_confirmed_at) return res.redirect("/settings/account");
    await consumeOrThrow(ctx.limits.emailPerAccount, `confirm:${user.id}`);
    await correctUnconfirmedAddress(ctx, user, req.body.email);
    flash(req, "success", `We sent a confirmation link to ${req.body.email}. The earlier link no longer works.`);
    res.redirect("/");
  };
}
