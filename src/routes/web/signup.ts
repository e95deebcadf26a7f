import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { parseBody, keptValues } from "../../http/validate";
import { safeNextPath } from "../../http/safe-redirect";
import { signUp, signupForm } from "../../services/signup";
import type {} from "../../http/session-keys";

/** GET /signup — the sign-up form. */
export function showSignup(req: Request, res: Response) {
  if (req.user) return res.redirect("/");
  res.render("auth/signup", { title: "Create your account", values: { next: safeNextPath(req.query.next, "") }, errors: {} });
}

/**
 * POST /signup — creates the account and answers "check your email" whether or not the address
 * already had an account (see signUp for why). A `next` path (an invitation) is kept in the
 * session, so that confirming the address in this browser leads back to it.
 */
export function submitSignup(ctx: AppContext) {
  const form = signupForm(ctx.config.passwordMinLength);
  return async (req: Request, res: Response) => {
    const values = { ...keptValues(req.body), next: safeNextPath(req.body?.next, "") };
    const parsed = parseBody(form, req.body);
    if (!parsed.ok) return res.status(422).render("auth/signup", { title: "Create your account", values, errors: parsed.errors });
    const result = await signUp(ctx, parsed.data);
    if (!result.ok) return res.status(422).render("auth/signup", { title: "Create your account", values, errors: result.errors });
    if (values.next) req.session.returnTo = values.next;
    res.render("auth/check-email", { title: "Check your email", email: parsed.data.email, reason: "signup" });
  };
}
