import { sign } from "cookie-signature";
import { SESSION_COOKIE } from "../src/http/session";

/**
 * The Cookie header a browser holding session `sid` sends: express-session's cookie, named
 * SESSION_COOKIE, whose value is "s:" + the sid signed with the session secret, URL-encoded.
 */
export function sessionCookieHeader(sid: string, secret: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(`s:${sign(sid, secret)}`)}`;
}
