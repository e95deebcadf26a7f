import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { newPasswordSchema } from "../../auth/passwords";
import { formValues, type Valid } from "../../http/validate";
import { safeNextPath } from "../../http/safe-redirect";
import { emailSchema, handleSchema } from "../../lib/handles";
import { refuseUnlessOk } from "../../lib/errors";
import { signUp } from "../../services/signup";

/** POST /signup: username, email, password (the minimum length is configured), and where to go after confirming. */
export function signupForm(passwordMinLength: number) {
  return z.object({ username: handleSchema, email: emailSchema, password: newPasswordSchema(passwordMinLength), next: z.string().optional() });
}

/** GET /signup — the sign-up form (and the form again on a 422). */
export function showSignup(req: Request, res: Response) {
  if (req.user && req.method === "GET") return res.redirect("/");
  const values = formValues(res, { next: req.query.next });
  res.render("auth/signup", { title: "Create your account", values: { ...values, next: safeNextPath(values.next, "") } });
}

/**
 * POST /signup — creates the account and answers "check your email" whether or not the address
 * already had an account (see signUp for why). A `next` path (an invitation) is kept in the
 * session, so that confirming the address in this browser leads back to it.
 */
export function submitSignup(ctx: AppContext) {
  return async (req: Valid<ReturnType<typeof signupForm>>, res: Response) => {
    refuseUnlessOk(await signUp(ctx, req.body));
    const next = safeNextPath(req.body.next, "");
    if (next) req.session.returnTo = next;
    res.render("auth/check-email", { title: "Check your email", email: req.body.email, reason: "signup" });
  };
}
