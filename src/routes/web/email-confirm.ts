import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { listUnvouchedIdentitiesForConfirmation, resendEmailConfirmation } from "../../services/email-confirmation";
import { providerLabel } from "../../services/external-sign-in";
import { useEmailLink } from "../../services/email-links";
import { requestMeta } from "../../http/request-meta";
import { consumeOrThrow } from "../../services/rate-limits";
import { flash } from "../../http/flash";
import { safeNextPath } from "../../http/safe-redirect";
import type {} from "../../http/session-keys";

/**
 * GET /email/confirm/:token — shows a button; confirming takes a POST, so mail scanners and link
 * previews that fetch the URL do not use up the link. The page names the identities that
 * confirming here will disconnect: those attached before the address was proven that this browser
 * did not show it holds (services/account-recovery.ts says why).
 */
export async function showConfirmEmail(req: Request, res: Response) {
  const held = req.session?.heldIdentity;
  const unvouched = await listUnvouchedIdentitiesForConfirmation(String(req.params.token));
  const toDisconnect = unvouched
    .filter((i) => !(held && held.provider === i.provider && held.providerUserId === i.provider_user_id))
    .map((i) => ({ label: providerLabel(i.provider), account: i.provider_username }));
  res.render("auth/confirm", { title: "Confirm your email", token: req.params.token, toDisconnect });
}

/** POST /email/confirm/:token — confirms the address of a new account, or completes an email change. */
export async function submitConfirmEmail(req: Request, res: Response) {
  const result = await useEmailLink(String(req.params.token), requestMeta(req), req.session?.heldIdentity);
  if (!result) {
    return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "confirmation" });
  }
  if (result.kind === "changed") {
    flash(req, "success", `Your email address is now ${result.user.email}.`);
    if (!req.user) return res.redirect("/login");
    return res.redirect(req.user.id === result.user.id ? "/settings/account" : "/");
  }
  delete req.session.heldIdentity;
  flash(req, "success", "Your email address is confirmed.");
  for (const i of result.removed) {
    flash(req, "warning", `The ${providerLabel(i.provider)} account ${i.provider_username} that was connected before your address was confirmed has been disconnected: it was not connected from this browser. If it is yours, connect it again from Settings, Linked identities.`);
  }
  // The removal left no way to sign in: choose a password now (following the link proved the address).
  if (result.resetToken) {
    flash(req, "info", "Choose a password to sign in to your account.");
    return res.redirect(`/password/reset/${result.resetToken}`);
  }
  // Organizations: someone who signed up from an invitation goes back to it (through
  // sign-in when needed). Only a path on this site is followed.
  const returnTo = safeNextPath(req.session.returnTo, "");
  delete req.session.returnTo;
  if (returnTo) return res.redirect(req.user ? returnTo : `/login?next=${encodeURIComponent(returnTo)}`);
  res.redirect(req.user ? "/" : "/login");
}

/** POST /email/resend — mails a fresh confirmation link; limited per IP and per account. */
export function submitResendConfirmation(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = req.user!;
    await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
    await consumeOrThrow(ctx.limits.emailPerAccount, `confirm:${user.id}`);
    await resendEmailConfirmation(ctx, user);
    flash(req, "success", `We sent a new confirmation link to ${user.email}.`);
    res.redirect("/");
  };
}
