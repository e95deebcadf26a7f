import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "../context";
import type { IssuedChallenge } from "../services/passkeys";

/**
 * The challenge of a passkey sign-in (the sign-in page's autofill and its "Sign in with a passkey"
 * button) lives in a cookie of its own, sealed with the secret box (AES-GCM: nobody can read or make
 * one), not in the session. The sign-in page asks for options as soon as it loads, while the person
 * may already be typing a password. Kept in the session, that request created a signed-out session
 * and answered with its cookie; arriving after the password sign-in's answer, that cookie replaced
 * the signed-in one and the person was signed out again at once. It also stored a session row for
 * every view of the sign-in page. This cookie never touches the session, so neither can happen.
 *
 * It is single use (spendSignInChallenge clears it, and the database marks every answered
 * challenge used, which is what stops two requests carrying the same answer at the same moment)
 * and expires with the challenge (5 minutes).
 */
const COOKIE = "gatehouse.passkey-sign-in";

function cookieName(ctx: AppContext): string {
  // Behind https the __Host- prefix: no subdomain can set or overwrite it.
  return ctx.config.secureCookies ? `__Host-${COOKIE}` : COOKIE;
}

/** Sends the sealed challenge with the options response. */
export function keepSignInChallenge(ctx: AppContext, res: Response, issued: IssuedChallenge): void {
  res.cookie(cookieName(ctx), ctx.secretBox.seal(JSON.stringify(issued)), {
    httpOnly: true,
    sameSite: "lax",
    secure: ctx.config.secureCookies,
    path: "/",
    maxAge: Math.max(0, issued.expiresAt - Date.now()),
  });
}

/**
 * The route step before a passkey sign-in answer is validated: takes the challenge out of its
 * cookie (cleared whatever the request's fate, so it answers one response only) into
 * `req.webauthnChallenge`, as spendChallenge does for the session's challenges.
 */
export function spendSignInChallenge(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const name = cookieName(ctx);
    const sealed = (req.cookies as Record<string, string> | undefined)?.[name];
    if (sealed) {
      res.clearCookie(name, { httpOnly: true, sameSite: "lax", secure: ctx.config.secureCookies, path: "/" });
      const plain = ctx.secretBox.open(sealed);
      const issued = plain === undefined ? undefined : (JSON.parse(plain) as IssuedChallenge);
      if (issued && issued.expiresAt > Date.now()) req.webauthnChallenge = issued;
    }
    next();
  };
}
