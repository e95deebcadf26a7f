import type { NextFunction, Request, Response } from "express";
import { touchUserSession } from "../db/user-sessions";

/** The sessions page shows "last seen" to the minute; writing it more often would only cost queries. */
export const LAST_SEEN_INTERVAL_MS = 60_000;

/** How many sessions' last write times one process remembers before forgetting the oldest. */
const REMEMBERED_SESSIONS = 10_000;

/**
 * When this process last wrote user_sessions.last_seen_at for each session id. It is kept here, not in
 * the session: changing the session on an arbitrary request makes express-session save it, and a
 * request running alongside (a favicon, a prefetch) would then write back a stale copy and drop what
 * the other request stored (a flash message, a token shown once). Another process only writes once
 * more; nothing else depends on this map.
 */
const lastWrites = new Map<string, number>();

/** Notes that last_seen_at of a session was just written (at sign-in, renewal, or by the touch). */
export function recordLastSeenWrite(sid: string, at = Date.now()): void {
  lastWrites.delete(sid);
  lastWrites.set(sid, at);
  if (lastWrites.size > REMEMBERED_SESSIONS) lastWrites.delete(lastWrites.keys().next().value!);
}

/** Notes that the current session's last_seen_at was just written (at sign-in or renewal). */
export function markSessionSeen(req: Request): void {
  recordLastSeenWrite(req.sessionID);
}

/**
 * Keeps user_sessions.last_seen_at fresh for signed-in requests, at most once a minute per session
 * and process, without a query on most requests and without touching the session itself.
 */
export async function touchSessionActivity(req: Request, _res: Response, next: NextFunction) {
  if (!req.user || !req.sessionID) return next();
  const last = lastWrites.get(req.sessionID) ?? 0;
  if (Date.now() - last < LAST_SEEN_INTERVAL_MS) return next();
  recordLastSeenWrite(req.sessionID);
  await touchUserSession(req.sessionID);
  next();
}
