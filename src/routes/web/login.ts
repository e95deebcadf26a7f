import type { NextFunction, Request, Response } from "express";
import type { createPassport } from "../../auth/passport";
import { z } from "zod";
import type { UserRow } from "../../db/users";
import { formValues, type Valid } from "../../http/validate";
import { ValidationError } from "../../lib/errors";
import { safeNextPath } from "../../http/safe-redirect";
import { endSession, startSession } from "../../http/sign-in";
import { flash } from "../../http/flash";

/** POST /login. */
export const LoginForm = z.object({
  login: z.string().trim().min(1, "Enter your username or email address.").max(254, "That is too long to be a username or email."),
  password: z.string().min(1, "Enter your password.").max(1024, "That password is too long."),
  remember: z.literal("on").optional(),
  next: z.string().optional(),
});

/** GET /login — the sign-in form (and the form again on a 422). */
export function showLogin(req: Request, res: Response) {
  if (req.user && req.method === "GET") return res.redirect(safeNextPath(req.query.next));
  const values = formValues(res, { next: req.query.next });
  res.render("auth/login", { title: "Sign in", values: { ...values, next: safeNextPath(values.next, "") } });
}

/**
 * POST /login — checks the credentials through Passport's local strategy. The one error message
 * never says whether the username or the password was wrong.
 */
export function submitLogin(passport: ReturnType<typeof createPassport>) {
  return (req: Valid<typeof LoginForm>, res: Response, next: NextFunction) => {
    passport.authenticate("local", { session: false }, (err: unknown, user: UserRow | false) => {
      if (err) return next(err);
      if (!user) return next(new ValidationError({ _form: "Incorrect username, email or password." }));
      startSession(req, user, req.body.remember === "on")
        .then(() => res.redirect(safeNextPath(req.body.next)))
        .catch(next);
    })(req, res, next);
  };
}

/** POST /logout — ends this session. */
export async function submitLogout(req: Request, res: Response) {
  if (req.user) await endSession(req);
  flash(req, "info", "You have signed out.");
  res.redirect("/login");
}
