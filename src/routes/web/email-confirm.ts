import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { resendEmailConfirmation } from "../../services/email-confirmation";
import { useEmailLink } from "../../services/email-links";
import { requestMeta } from "../../services/request-meta";
import { consumeOrThrow } from "../../http/rate-limits";
import { flash } from "../../http/flash";
import { safeNextPath } from "../../http/safe-redirect";

/**
 * GET /email/confirm/:token — shows a button; confirming takes a POST, so mail scanners and link
 * previews that fetch the URL do not use up the link.
 */
export function showConfirmEmail(req: Request, res: Response) {
  res.render("auth/confirm", { title: "Confirm your email", token: req.params.token });
}

/** POST /email/confirm/:token — confirms the address of a new account, or completes an email change. */
export async function submitConfirmEmail(req: Request, res: Response) {
  const result = await useEmailLink(String(req.params.token), requestMeta(req));
  if (!result) {
    return res.status(410).render("auth/link-invalid", { title: "Link expired", what: "confirmation" });
  }
  if (result.kind === "changed") {
    flash(req, "success", `Your email address is now ${result.user.email}.`);
    if (!req.user) return res.redirect("/login");
    return res.redirect(req.user.id === result.user.id ? "/settings/account" : "/");
  }
  flash(req, "success", "Your email address is confirmed.");
  // Organizations (issue 6): someone who signed up from an invitation goes back to it (through
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
