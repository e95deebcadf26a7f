import crypto from "node:crypto";
import { doubleCsrf } from "csrf-csrf";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Config } from "../config";

/**
 * CSRF protection with signed double-submit cookies (csrf-csrf): every POST form carries `_csrf`,
 * which must equal the value of an HttpOnly cookie that carries an HMAC made with our secret. The
 * server keeps nothing, so showing a signed-out form (sign-in, sign-up) stores no session row: an
 * anonymous visitor cannot grow the sessions table by loading pages.
 *
 * Signed in, the HMAC also covers the session id, so a cookie planted by a sibling subdomain or
 * minted in the attacker's own session does not pass for the victim's; behind https the cookie has
 * the __Host- prefix, which a subdomain cannot set at all. A new session id (sign-in, sign-out, a
 * password change) makes earlier tokens worthless. The JSON API is not behind this: it never accepts
 * the session cookie, only bearer tokens, so a forged cross-site request carries no credentials.
 */
export function createCsrf(config: Config, sessionSecret: string) {
  // A key of its own, derived from the session secret, so neither use can stand in for the other.
  const secret = crypto.createHmac("sha256", sessionSecret).update("gatehouse csrf").digest("base64url");
  const cookieName = config.secureCookies ? "__Host-gatehouse.csrf" : "gatehouse.csrf";
  const { generateCsrfToken, doubleCsrfProtection, validateRequest } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => (req.user ? req.sessionID : ""),
    cookieName,
    // Lax, like the session cookie: a link from a mail opens a form that can be posted.
    cookieOptions: { sameSite: "lax", secure: config.secureCookies, httpOnly: true, path: "/" },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
    errorConfig: { statusCode: 403, message: "The form expired or was not sent from this site.", code: "EBADCSRFTOKEN" },
  });

  /** Whether `token` is one made for the session `sid` (undefined: signed out), by csrf-csrf's own validation of a stand-in request. */
  function madeFor(token: unknown, sid: string | undefined): token is string {
    if (typeof token !== "string" || token === "") return false;
    const standIn = { cookies: { [cookieName]: token }, body: { _csrf: token }, user: sid ? {} : undefined, sessionID: sid };
    return validateRequest(standIn as unknown as Request);
  }

  /**
   * Offers `csrfToken()` to views. It is made once per response, so every form of a page carries
   * the token of the one cookie sent with it. A cookie the browser sent that is already valid for
   * this request's session is used as it is and not sent back: csrf-csrf would set the same value
   * again on every page, a Set-Cookie header per response that changes nothing. A missing cookie,
   * or one made for another session (before a sign-in, a sign-out, a new session id), gets a new one.
   */
  function exposeCsrfToken(req: Request, res: Response, next: NextFunction) {
    let token: string | undefined;
    res.locals.csrfToken = () => {
      if (token !== undefined) return token;
      const sent = (req.cookies as Record<string, unknown> | undefined)?.[cookieName];
      // overwrite: the cookie was just found invalid, so csrf-csrf need not check it a second time.
      return (token = madeFor(sent, req.user ? req.sessionID : undefined) ? sent : generateCsrfToken(req, res, { overwrite: true }));
    };
    next();
  }

  /**
   * Whether the `_csrf` a refused form sent was made for the session `sid` (undefined: a signed-out
   * one). It only chooses the words of a refusal (src/http/form-of-other-account.ts): the form was
   * refused already.
   */
  function formTokenMadeFor(req: Request, sid: string | undefined): boolean {
    return madeFor((req.body as Record<string, unknown> | undefined)?._csrf, sid);
  }

  return { exposeCsrfToken, verifyCsrf: doubleCsrfProtection as RequestHandler, formTokenMadeFor };
}
