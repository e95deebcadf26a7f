import { Passport } from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import type { AppContext } from "../context";
import { findUserById } from "../db/users";
import { authenticateWithPassword } from "../services/password-sign-in";
import { registerProviderStrategies } from "./providers";

/**
 * A Passport instance per app (tests run several apps in one process). The session holds only the
 * user id; the row is loaded on each request, so a deleted account is signed out at once.
 */
export function createPassport(ctx: AppContext) {
  const passport = new Passport();
  passport.use(
    "local",
    new LocalStrategy({ usernameField: "login", passwordField: "password" }, (login, password, done) => {
      authenticateWithPassword(ctx, login, password).then((user) => done(null, user ?? false), done);
    }),
  );
  // External providers (issue 4): one strategy per configured provider.
  registerProviderStrategies(passport, ctx.config);
  passport.serializeUser((user, done) => done(null, (user as Express.User).id));
  passport.deserializeUser((id: unknown, done) => {
    findUserById(Number(id)).then((user) => done(null, user ?? false), done);
  });
  return passport;
}
