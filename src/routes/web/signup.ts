import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { parseBody, keptValues } from "../../http/validate";
import { safeNextPath } from "../../http/safe-redirect";
import { signUp, signupForm } from "../../services/signup";
import { signupRefusal } from "../../services/signup-gate";
import type {} from "../../http/session-keys";

/**
 * GET /signup — the sign-up form; on an instance with sign-up closed (or by invitation only, unless
 * the visitor comes from one) the reason instead, so nobody fills in a form that cannot succeed.
 */
export function showSignup(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    if (req.user) return res.redirect("/");
    const next = safeNextPath(req.query.next, "");
    const settings = ctx.settings.current();
    const gate = settings.signupMode === "open" ? undefined : await signupRefusal(settings, undefined, next);
    res.render("auth/signup", { title: "Create your account", values: { next }, errors: {}, closedReason: gate?.message });
  };
}

/**
 * POST /signup — creates the account and answers "check your email" whether or not the address
 * already had an account (see signUp for why). A `next` path (an invitation) is kept in the
 * session, so that confirming the address in this browser leads back to it.
 */
export function submitSignup(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const values = { ...keptValues(req.body), next: safeNextPath(req.body?.next, "") };
    const settings = ctx.settings.current();
    const parsed = parseBody(signupForm(settings.passwordMinLength), req.body);
    if (!parsed.ok) return res.status(422).render("auth/signup", { title: "Create your account", values, errors: parsed.errors });
    // The instance's sign-up rules (mode, email domains), before anything is looked up or stored.
    const refusal = await signupRefusal(settings, parsed.data.email, values.next);
    if (refusal) return res.status(refusal.field === "email" ? 422 : 403).render("auth/signup", { title: "Create your account", values, errors: { [refusal.field]: refusal.message } });
    const result = await signUp(ctx, parsed.data);
    if (!result.ok) return res.status(422).render("auth/signup", { title: "Create your account", values, errors: result.errors });
    if (values.next) req.session.returnTo = values.next;
    res.render("auth/check-email", { title: "Check your email", email: parsed.data.email, reason: "signup" });
  };
}
