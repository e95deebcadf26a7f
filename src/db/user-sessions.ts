import { db, type Executor } from "./knex";

export interface UserSessionRow {
  sid: string;
  /** Opaque random id naming the session in pages; the sid itself never leaves its own browser. */
  public_id: string;
  user_id: number;
  ip: string | null;
  user_agent: string | null;
  remember: boolean;
  created_at: Date;
  last_seen_at: Date;
}

/** Records a new signed-in session. */
export async function insertUserSession(row: Pick<UserSessionRow, "sid" | "user_id" | "ip" | "user_agent" | "remember">, q: Executor = db): Promise<void> {
  await q("user_sessions").insert(row).onConflict("sid").merge();
}

/**
 * Ends sessions of a user: deletes their express-session rows (the next request with that cookie is
 * signed out) and our records of them. With `exceptSid`, the current session survives.
 */
export async function deleteSessionsForUser(userId: number, exceptSid: string | undefined, q: Executor = db): Promise<void> {
  const mine = q("user_sessions").where({ user_id: userId });
  if (exceptSid) mine.whereNot({ sid: exceptSid });
  const sids = (await mine.clone().select("sid")).map((r: { sid: string }) => r.sid);
  if (sids.length === 0) return;
  await q("http_sessions").whereIn("sid", sids).delete();
  await q("user_sessions").whereIn("sid", sids).delete();
}

/** Forgets our record of one session (after sign-out). */
export async function deleteUserSession(sid: string, q: Executor = db): Promise<void> {
  await q("user_sessions").where({ sid }).delete();
}

/**
 * The live signed-in sessions of a user, newest activity first. Joined to http_sessions so sessions
 * that expired or were ended are not listed; one indexed query over this user's rows only.
 */
export function listLiveSessionsForUser(userId: number, q: Executor = db): Promise<UserSessionRow[]> {
  return q<UserSessionRow>("user_sessions")
    .join("http_sessions", "http_sessions.sid", "user_sessions.sid")
    .where("user_sessions.user_id", userId)
    .where("http_sessions.expire", ">=", q.fn.now())
    .select("user_sessions.*")
    .orderBy([{ column: "user_sessions.last_seen_at", order: "desc" }, { column: "user_sessions.created_at", order: "desc" }]);
}

/** The session of this user with this public id, or undefined (someone else's id finds nothing). */
export function findSessionForUser(userId: number, publicId: string, q: Executor = db): Promise<UserSessionRow | undefined> {
  return q<UserSessionRow>("user_sessions").where({ user_id: userId, public_id: publicId }).first();
}

/** Ends one session of this user (the next request with its cookie is signed out); false when none. */
export async function deleteSessionForUser(userId: number, sid: string, q: Executor = db): Promise<boolean> {
  const deleted = await q("user_sessions").where({ user_id: userId, sid }).delete();
  if (deleted === 0) return false;
  await q("http_sessions").where({ sid }).delete();
  return true;
}

/** Our record of one session, or undefined. */
export function findUserSession(sid: string, q: Executor = db): Promise<UserSessionRow | undefined> {
  return q<UserSessionRow>("user_sessions").where({ sid }).first();
}

/**
 * Records a session under its new id after the id was regenerated, keeping what we knew (public id,
 * sign-in time, origin). The old record went with the old session row (foreign-key cascade).
 */
export async function moveUserSession(previous: UserSessionRow, newSid: string, q: Executor = db): Promise<void> {
  await q("user_sessions").where({ sid: previous.sid }).delete();
  await q("user_sessions").insert({ ...previous, sid: newSid, last_seen_at: q.fn.now() });
}

/** Records that a session was just used. */
export async function touchUserSession(sid: string, q: Executor = db): Promise<void> {
  await q("user_sessions").where({ sid }).update({ last_seen_at: q.fn.now() });
}

/** True when one of this user's recorded sessions came from this IP and user agent. */
export async function userHasSessionFrom(userId: number, ip: string | null, userAgent: string | null, q: Executor = db): Promise<boolean> {
  const row = await q("user_sessions").where({ user_id: userId, ip, user_agent: userAgent }).first("sid");
  return !!row;
}
