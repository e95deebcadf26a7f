import type { IncomingMessage } from "node:http";
import { Passport } from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import type { AppContext } from "../context";
import type { UserRow } from "../db/users";
import { authenticateWithPassword } from "../services/password-sign-in";
import { registerProviderStrategies } from "./providers";

/**
 * A Passport instance per app (tests run several apps in one process). Who is signed in comes from
 * the session row, read together with the user by the session store in one query (`signedInUser`),
 * so a deleted account or an ended session is signed out at once.
 */
export function createPassport(ctx: AppContext, signedInUser: (req: IncomingMessage) => UserRow | undefined) {
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
  // With three parameters Passport passes the request first.
  passport.deserializeUser((req: IncomingMessage, id: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
    const user = signedInUser(req);
    done(null, user && user.id === Number(id) ? user : false);
  });
  return passport;
}
