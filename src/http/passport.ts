import type { IncomingMessage } from "node:http";
import type { Express, NextFunction, Request, Response } from "express";
import { Passport } from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import type { AppContext } from "../context";
import type { UserRow } from "../db/users";
import { authenticateWithPassword } from "../services/password-sign-in";
import { registerProviderStrategies } from "../auth/providers";

/**
 * A Passport instance per app (tests run several apps in one process). Who is signed in comes from
 * the session row, read together with the user by the session store in one query (`signedInUser`),
 * so a deleted account or an ended session is signed out at once: restoreSessionUser below stands in
 * for the instance's `session()` middleware.
 */
export function createPassport(ctx: AppContext) {
  const passport = new Passport();
  passport.use(
    "local",
    new LocalStrategy({ usernameField: "login", passwordField: "password" }, (login, password, done) => {
      authenticateWithPassword(ctx, login, password).then((user) => done(null, user ?? false), done);
    }),
  );
  // External providers: one strategy per configured provider.
  registerProviderStrategies(passport, ctx.config);
  passport.serializeUser((user, done) => done(null, (user as Express.User).id));
  return passport;
}

/**
 * Gives every request of `app` Passport's request methods (req.login, req.logout, ...) and its
 * session manager through the app's request prototype, once, instead of through passport.initialize()
 * on every request. That middleware adds the same seven properties to each request object; on a
 * signed-in page it was the costliest single step of the chain for what it does, and every added
 * property changes the shape of the request object V8 has to track. Running Passport's own
 * initialize step on the prototype keeps its behaviour (its methods, its session manager) without
 * reaching into its internals. Compatibility mode (`req._passport`, for strategies built on
 * Passport 0.4) is off: none of this app's strategies reads it.
 */
export function installPassportRequestMethods(app: Express, passport: ReturnType<typeof createPassport>): void {
  passport.initialize({ compat: false })(app.request, {} as Response, () => {});
}

/**
 * Passport's session step (what `passport.session()` does through its "session" strategy), done
 * directly: when the session names a user, `req.user` becomes the user the store read with the
 * session row, if it is that user; otherwise the session's user is forgotten, as Passport does when
 * its deserializer finds nobody. Passport's own version runs its authenticate() machinery (a dozen
 * closures and a strategy object per request) to call the one deserializer this app has, on every
 * request with a session; this does the same in a few property reads.
 */
export function restoreSessionUser(signedInUser: (req: IncomingMessage) => UserRow | undefined) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const state = (req.session as { passport?: { user?: unknown } } | undefined)?.passport;
    const id = state?.user;
    if (state && id !== undefined && id !== null) {
      const user = signedInUser(req);
      if (user && user.id === Number(id)) req.user = user;
      else delete state.user;
    }
    next();
  };
}
