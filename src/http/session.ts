import crypto from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import session from "express-session";
import type { Config } from "../config";
import { pruneSessions } from "../db/sessions";
import type { Logger } from "../lib/logger";
import { PgSessionStore } from "./session-store";

/** The name of the session cookie. */
export const SESSION_COOKIE = "gatehouse.sid";

/** How often one process deletes long-ended and long-expired session rows. */
const PRUNE_INTERVAL_MS = 15 * 60 * 1000;

/**
 * Sessions, in PostgreSQL (src/http/session-store.ts) so that any app process can serve any request.
 * Cookies are HttpOnly (no script can read them), SameSite=Lax (cross-site POSTs carry no session)
 * and Secure whenever BASE_URL is https; their lifetime follows the row (src/db/sessions.ts).
 * Nothing is stored for a visitor until a request puts something in the session (saveUninitialized
 * false), so an anonymous page view writes nothing.
 */
export function createSessionMiddleware(config: Config, secret: string, logger: Logger, Store = PgSessionStore) {
  const cookie = { httpOnly: true, sameSite: "lax", secure: config.secureCookies, path: "/" } as const;
  const store = new Store(cookie);
  const middleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    // 256-bit random session ids.
    genid: () => crypto.randomBytes(32).toString("base64url"),
    cookie,
  });
  const prune = config.env === "test"
    ? undefined
    : setInterval(() => pruneSessions().catch((err) => logger.warn({ err }, "pruning sessions failed")), PRUNE_INTERVAL_MS).unref();
  return { middleware: [middleware, saveBeforeResponding(store)] as RequestHandler[], store, close: () => clearInterval(prune) };
}

/**
 * Holds back every response, headers included, until what the request stored in its session is
 * saved. express-session writes the headers (a redirect's Location among them) before its store
 * has finished saving, so a fast client could follow the redirect and read the session from before
 * this request: a missing flash message, a token shown once lost, a sign-in not yet visible. This is
 * the one place sessions are saved before a response; express-session's own save that follows finds
 * nothing left to write. An unchanged session is marked as seen here, at most every few minutes.
 */
function saveBeforeResponding(store: PgSessionStore): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = res.end;
    res.end = function (this: Response, ...args: unknown[]) {
      res.end = end;
      if (res.headersSent) return end.apply(this, args as never);
      if (!store.needsWrite(req)) {
        // Keeping the idle expiry fresh is not worth failing a page for: a failed write is logged.
        store.markSeen(req).catch((err) => req.log?.warn({ err }, "the session could not be marked as seen")).finally(() => end.apply(res, args as never));
        return res;
      }
      req.session.save((err) => {
        if (!err) return end.apply(res, args as never);
        req.log?.error({ err }, "the session could not be saved");
        refuseUnsaved(req, res, end);
      });
      return res;
    } as Response["end"];
    next();
  };
}

/**
 * Replaces a response whose session could not be saved: sending it would show a page whose effects
 * (a flash, a token to copy) the next request cannot see. Detaching the session keeps express-session
 * from trying again.
 */
function refuseUnsaved(req: Request, res: Response, end: Response["end"]) {
  (req as { session: unknown }).session = null;
  res.statusCode = 503;
  for (const name of ["location", "content-length", "etag"]) res.removeHeader(name);
  res.setHeader("Retry-After", "5");
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  const message = "Gatehouse could not save your session just now. Please try again in a moment.";
  res.app.render("errors/error", { ...res.locals, title: "Something went wrong", status: 503, message, requestId: req.id }, (err, html) => {
    (end as (chunk: string) => Response).call(res, err ? message : html);
  });
}
