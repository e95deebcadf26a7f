import crypto from "node:crypto";
import session from "express-session";
import connectPgSimple from "connect-pg-simple";
import pg from "pg";
import type { Config } from "../config";

/** Idle timeout for sessions without "Keep me signed in". */
export const IDLE_TIMEOUT_SECONDS = 30 * 60;
/** Lifetime of a "Keep me signed in" session. */
export const REMEMBER_ME_MS = 30 * 24 * 60 * 60 * 1000;

/** The name of the session cookie. */
export const SESSION_COOKIE = "gatehouse.sid";

/**
 * express-session backed by PostgreSQL (connect-pg-simple on the http_sessions table) so that any app
 * process can serve any request. Cookies are HttpOnly (no script can read them), SameSite=Lax
 * (cross-site POSTs carry no session) and Secure whenever BASE_URL is https. Without "Keep me signed
 * in" the cookie lives as long as the browser and the row expires after 30 idle minutes.
 */
export function createSessionMiddleware(config: Config, databaseUrl: string, secret: string) {
  const PgStore = connectPgSimple(session);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5 });
  const store = new PgStore({
    pool,
    tableName: "http_sessions",
    ttl: IDLE_TIMEOUT_SECONDS,
    pruneSessionInterval: config.env === "test" ? false : 15 * 60,
  });
  const middleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    // 256-bit random session ids.
    genid: () => crypto.randomBytes(32).toString("base64url"),
    cookie: { httpOnly: true, sameSite: "lax", secure: config.secureCookies, path: "/" },
  });
  return { middleware, close: () => pool.end() };
}
