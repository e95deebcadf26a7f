import type { NextFunction, Request, Response } from "express";
import { touchUserSession } from "../db/user-sessions";

declare module "express-session" {
  interface SessionData {
    /** When user_sessions.last_seen_at was last written for this session (ms since the epoch). */
    lastSeenWrittenAt?: number;
  }
}

/** The sessions page shows "last seen" to the minute; writing it more often would only cost queries. */
export const LAST_SEEN_INTERVAL_MS = 60_000;

/** Notes in the session that its last_seen_at was just written (at sign-in or renewal). */
export function markSessionSeen(req: Request): void {
  req.session.lastSeenWrittenAt = Date.now();
}

/**
 * Keeps user_sessions.last_seen_at fresh for signed-in requests, at most once a minute per session.
 * The time of the last write lives in the session itself, so most requests spend no query on it.
 */
export async function touchSessionActivity(req: Request, _res: Response, next: NextFunction) {
  if (!req.user || !req.session) return next();
  const last = req.session.lastSeenWrittenAt ?? 0;
  if (Date.now() - last < LAST_SEEN_INTERVAL_MS) return next();
  markSessionSeen(req);
  await touchUserSession(req.sessionID);
  next();
}
