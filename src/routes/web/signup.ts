import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { newPasswordSchema } from "../../auth/passwords";
import { formValues, keptValues, type Valid } from "../../http/validate";
import { safeNextPath } from "../../http/safe-redirect";
import { emailSchema, handleSchema } from "../../lib/handles";
import { ValidationError } from "../../lib/errors";
import { signUp } from "../../services/signup";
import { invitationTokenIn, signupRefusal } from "../../services/signup-gate";
import { findLiveInvitation } from "../../services/invitations";
import type {} from "../../http/session-keys";

/** POST /signup: username, email, password (the minimum length is an instance setting), and where to go after confirming. */
export function signupForm(passwordMinLength: number) {
  return z.object({ username: handleSchema, email: emailSchema, password: newPasswordSchema(passwordMinLength), next: z.string().optional() });
}

/**
 * GET /signup — the sign-up form (and the form again on a 422); on an instance with sign-up closed
 * (or by invitation only, unless the visitor comes from one) the reason instead, so nobody fills in
 * a form that cannot succeed. Coming from a live invitation, the form names the organization it
 * joins and starts with the invited address: both are on the invitation page the visitor holds
 * the link to already, so this shows them nothing new.
 */
export function showSignup(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    if (req.user && req.method === "GET") return res.redirect("/");
    const token = invitationTokenIn(safeNextPath(req.method === "GET" ? req.query.next : req.body?.next, ""));
    const invited = token ? await findLiveInvitation(token) : undefined;
    const values = formValues(res, { next: req.query.next, email: invited?.invitation.email });
    const next = safeNextPath(values.next, "");
    const settings = ctx.settings.current();
    const gate = settings.signupMode === "open" ? undefined : await signupRefusal(settings, undefined, next);
    res.render("auth/signup", { title: "Create your account", values: { ...values, next }, closedReason: gate?.message, joining: invited?.org.name });
  };
}

/**
 * POST /signup — creates the account and answers "check your email" whether or not the address
 * already had an account (see signUp for why). A `next` path (an invitation) is kept in the
 * session, so that confirming the address in this browser leads back to it.
 */
export function submitSignup(ctx: AppContext) {
  return async (req: Valid<ReturnType<typeof signupForm>>, res: Response) => {
    const next = safeNextPath(req.body.next, "");
    // The instance's sign-up rules (mode, email domains), before anything is looked up or stored.
    const refusal = await signupRefusal(ctx.settings.current(), req.body.email, next);
    if (refusal?.field === "email") throw new ValidationError({ email: refusal.message });
    if (refusal) return res.status(403).render("auth/signup", { title: "Create your account", values: { ...keptValues(req.body), next }, errors: { [refusal.field]: refusal.message } });
    const { userId } = await signUp(ctx, req.body);
    // Remembered whether or not the address was new (see signupUserId); it lets the confirmation
    // link, followed in this browser, sign the new account in.
    req.session.signupUserId = userId;
    if (next) req.session.returnTo = next;
    res.render("auth/check-email", { title: "Check your email", email: req.body.email, reason: "signup" });
  };
}
