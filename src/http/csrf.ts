import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Config } from "../config";
import { safeEqual } from "../lib/tokens";

/**
 * CSRF protection with signed double-submit cookies: every POST form carries `_csrf`, which must
 * equal the value of an HttpOnly cookie that carries an HMAC made with our secret. The server keeps
 * nothing, so showing a signed-out form (sign-in, sign-up) stores no session row: an anonymous
 * visitor cannot grow the sessions table by loading pages.
 *
 * Signed in, the HMAC also covers the session id, so a cookie planted by a sibling subdomain or
 * minted in the attacker's own session does not pass for the victim's; behind https the cookie has
 * the __Host- prefix, which a subdomain cannot set at all. A new session id (sign-in, sign-out, a
 * password change) makes earlier tokens worthless. The JSON API is not behind this: it never accepts
 * the session cookie, only bearer tokens, so a forged cross-site request carries no credentials.
 *
 * A token is `<HMAC-SHA256 in hex>.<32 random bytes in hex>`, the HMAC taken over the session id and
 * the random value, each after its length. That is csrf-csrf's format, which this file replaced (its
 * checks compared the HMAC with `===`), so tokens issued before still verify. Every comparison here
 * takes the same time however much of the value matches (safeEqual): a response time that grew with
 * each right character would let an attacker learn a valid HMAC one character at a time.
 */
export function createCsrf(config: Config, sessionSecret: string) {
  // A key of its own, derived from the session secret, so neither use can stand in for the other;
  // the HMAC is keyed with its base64url text, as it was under csrf-csrf.
  const key = crypto.createHmac("sha256", sessionSecret).update("gatehouse csrf").digest("base64url");
  const cookieName = config.secureCookies ? "__Host-gatehouse.csrf" : "gatehouse.csrf";
  // Lax, like the session cookie: a link from a mail opens a form that can be posted.
  const cookieOptions = { sameSite: "lax", secure: config.secureCookies, httpOnly: true, path: "/" } as const;

  /** The HMAC, in hex, for `random` in the session `sid` ("" when signed out). */
  function signature(sid: string, random: string): string {
    return crypto.createHmac("sha256", key).update(`${sid.length}!${sid}!${random.length}!${random}`).digest("hex");
  }

  /** Whether `token` is well formed and was made for the session `sid` (undefined: signed out). */
  function madeFor(token: unknown, sid: string | undefined): token is string {
    if (typeof token !== "string" || !TOKEN.test(token)) return false;
    const [mac, random] = token.split(".") as [string, string];
    return safeEqual(mac, signature(sid ?? "", random));
  }

  /** The session a request's tokens must be made for: its own once signed in, none before. */
  const sessionOf = (req: Request) => (req.user ? req.sessionID : undefined);
  const cookieOf = (req: Request) => (req.cookies as Record<string, unknown> | undefined)?.[cookieName];
  const formTokenOf = (req: Request) => (req.body as Record<string, unknown> | undefined)?._csrf;

  /** A new token for this request's session, set as the cookie of the response. */
  function issue(req: Request, res: Response): string {
    const random = crypto.randomBytes(32).toString("hex");
    const token = `${signature(sessionOf(req) ?? "", random)}.${random}`;
    res.cookie(cookieName, token, cookieOptions);
    return token;
  }

  /**
   * Offers `csrfToken()` to views. It is made once per response, so every form of a page carries
   * the token of the one cookie sent with it. A cookie the browser sent that is already valid for
   * this request's session is used as it is and not sent back, so pages do not repeat a Set-Cookie
   * header that changes nothing. A missing cookie, or one made for another session (before a
   * sign-in, a sign-out, a new session id), gets a new one.
   */
  function exposeCsrfToken(req: Request, res: Response, next: NextFunction) {
    let token: string | undefined;
    res.locals.csrfToken = () => {
      if (token !== undefined) return token;
      const sent = cookieOf(req);
      return (token = madeFor(sent, sessionOf(req)) ? sent : issue(req, res));
    };
    next();
  }

  /** Refuses (403, errors.ts) a request that can change something unless its `_csrf` was made for its session and equals the cookie. */
  function verifyCsrf(req: Request, _res: Response, next: NextFunction) {
    if (SAFE_METHODS.has(req.method)) return next();
    const sent = formTokenOf(req);
    const cookie = cookieOf(req);
    const matches = madeFor(sent, sessionOf(req)) && typeof cookie === "string" && safeEqual(cookie, sent);
    next(matches ? undefined : new CsrfRefused());
  }

  /**
   * Whether the `_csrf` a refused form sent was made for the session `sid` (undefined: a signed-out
   * one). It only chooses the words of a refusal (src/http/form-of-other-account.ts): the form was
   * refused already.
   */
  function formTokenMadeFor(req: Request, sid: string | undefined): boolean {
    return madeFor(formTokenOf(req), sid);
  }

  return { exposeCsrfToken, verifyCsrf, formTokenMadeFor };
}

/** A token: 32 bytes of HMAC and 32 random bytes, in lower-case hex, joined by a dot. */
const TOKEN = /^[0-9a-f]{64}\.[0-9a-f]{64}$/;

/** Requests that change nothing, which need no token: links and reloads must keep working. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A form refused by the CSRF check; the error handler and the account-switch page know it by its code. */
class CsrfRefused extends Error {
  readonly code = "EBADCSRFTOKEN";
  constructor() {
    super("The form expired or was not sent from this site.");
  }
}
