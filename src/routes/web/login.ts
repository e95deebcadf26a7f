import type { NextFunction, Request, Response } from "express";
import type { createPassport } from "../../http/passport";
import { z } from "zod";
import type { UserRow } from "../../db/users";
import { formValues, type Valid } from "../../http/validate";
import { ValidationError } from "../../lib/errors";
import { safeNextPath } from "../../http/safe-redirect";
import { beginSignIn, endSession } from "../../http/sign-in";
import { flash } from "../../http/flash";
import { SUSPENDED_MESSAGE } from "../../services/suspension";
import { requestMeta } from "../../http/request-meta";
import { recordFailedSignIn } from "../../services/security-log";
import { endOtherAccounts, otherAccountsOf, switchToAccount } from "../../http/browser-accounts";

/** POST /login. */
export const LoginForm = z.object({
  login: z.string().trim().min(1, "Enter your username or email address.").max(254, "That is too long to be a username or email."),
  password: z.string().min(1, "Enter your password.").max(1024, "That password is too long."),
  remember: z.literal("on").optional(),
  next: z.string().optional(),
});

/**
 * GET /login — the sign-in form (and the form again on a 422). The username is filled in, once,
 * when this browser has just shown it knows the account (the session's loginHint); "Welcome
 * back" greets only someone who has used the account before. Nothing a visitor types decides
 * either, so the page tells nobody whether an account exists.
 */
export function showLogin(req: Request, res: Response) {
  if (req.user && req.method === "GET") return res.redirect(safeNextPath(req.query.next));
  const hint = req.method === "GET" ? req.session?.loginHint : undefined;
  if (hint) delete req.session.loginHint;
  const values = formValues(res, { next: req.query.next, login: hint?.username });
  res.render("auth/login", { title: "Sign in", values: { ...values, next: safeNextPath(values.next, "") }, returning: hint?.returning === true });
}

/**
 * POST /login — checks the credentials through Passport's local strategy. The one error message
 * never says whether the username or the password was wrong.
 */
export function submitLogin(passport: ReturnType<typeof createPassport>) {
  return (req: Valid<typeof LoginForm>, res: Response, next: NextFunction) => {
    passport.authenticate("local", { session: false }, (err: unknown, user: UserRow | false) => {
      if (err) return next(err);
      if (!user) {
        // The account's owner sees the failed attempt in their security log.
        return recordFailedSignIn(req.body.login, requestMeta(req))
          .then(() => next(new ValidationError({ _form: "Incorrect username, email or password." })))
          .catch(next);
      }
      // Said only after the right password, so it tells nobody else that the account exists.
      // 403: the credentials were right, the account may not be used.
      if (user.suspended_at) {
        return res.status(403).render("auth/login", { title: "Sign in", values: { login: req.body.login, next: safeNextPath(req.body.next, "") }, errors: { _form: SUSPENDED_MESSAGE } });
      }
      // With two-factor authentication on, this stops at /login/two-factor (next kept for after it).
      beginSignIn(req, user, { remember: req.body.remember === "on", method: "password", next: safeNextPath(req.body.next) })
        .then((target) => res.redirect(target))
        .catch(next);
    })(req, res, next);
  };
}

/** POST /logout — "this" account (the default) or "all" the accounts this browser is signed in to. */
export const LogoutForm = z.object({
  scope: z.enum(["this", "all"], "Choose which accounts to sign out of.").default("this"),
});

/**
 * POST /logout — ends this session (or drops a sign-in waiting for its second factor). With other
 * accounts signed in in this browser, "this" goes on with the most recently used of them, and "all"
 * ends every one of them too.
 */
export async function submitLogout(req: Valid<typeof LogoutForm>, res: Response) {
  const leaving = req.user?.username;
  if (req.body.scope === "all") await endOtherAccounts(req);
  if (req.user) await endSession(req);
  else delete req.session.pendingSignIn;
  const [next] = otherAccountsOf(req);
  if (leaving && next && (await switchToAccount(req, next))) {
    flash(req, "info", `You signed out of ${leaving}. You are now using ${next.user.username}.`);
    return res.redirect("/");
  }
  // The sign-in page this redirects to shows the name, and consumes it: the next person at a
  // shared computer who opens the sign-in page later does not see it.
  if (leaving && req.body.scope === "this") req.session.loginHint = { username: leaving, returning: true };
  flash(req, "info", req.body.scope === "all" ? "You have signed out of every account." : "You have signed out.");
  res.redirect("/login");
}
