import { CoalescedLookup } from "./coalesced-lookup";
import { columnsAt, db, joinedAt, type Executor } from "./knex";
import { providerAvatarSql } from "./avatars";
import { USER_COLUMNS, type UserRow } from "./users";

/**
 * Browser sessions (the `sessions` table). Two kinds of writer touch a row, and they never write
 * each other's columns:
 *  - the session store writes `data` (flash messages, flow state) of a live row, and inserts rows
 *    only for ids generated in the same request;
 *  - sign-in writes `user_id` and the lifetimes, and ending a session writes `ended_at`.
 * So a request still in flight when its session ended cannot sign it in again, and every write of
 * the store is `... WHERE ended_at IS NULL`: there is no upsert that could bring a row back.
 */
export interface SessionRow {
  sid: string;
  /** Opaque random id naming the session in pages; the sid itself never leaves its own browser. */
  public_id: string;
  data: Record<string, unknown>;
  user_id: number | null;
  remember: boolean;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  signed_in_at: Date | null;
  last_seen_at: Date;
  expires_at: Date;
  absolute_expires_at: Date;
  ended_at: Date | null;
}

/** A signed-in session that is neither ended nor expired. */
export type LiveSessionRow = SessionRow & { user_id: number; signed_in_at: Date };

/**
 * Default lifetimes. Without "Keep me signed in": 30 idle minutes, and 12 hours from sign-in at most.
 * With it: 30 days from sign-in, not extended by use. A signed-out session (flash, a provider flow's
 * state) lives as long as a default idle signed-in one. Signed-in sessions get the lifetimes of the
 * instance settings (src/services/instance-settings.ts), passed in by the caller.
 */
export const SESSION_IDLE_SECONDS = 30 * 60;
export const SESSION_MAX_SECONDS = 12 * 60 * 60;
export const REMEMBERED_SESSION_SECONDS = 30 * 24 * 60 * 60;

/**
 * How stale last_seen_at may get before a request writes it (and, for sessions without "Keep me
 * signed in", pushes the idle expiry). A signed-in page therefore writes at most once per interval:
 * the idle timeout is effectively between 25 and 30 minutes, and "last seen" is accurate to 5.
 */
export const SESSION_TOUCH_INTERVAL_MS = 5 * 60 * 1000;


const SESSION_COLUMNS = [
  "sid", "public_id", "data", "user_id", "remember", "ip", "user_agent", "created_at", "signed_in_at", "last_seen_at",
  "expires_at", "absolute_expires_at", "ended_at",
] as const;

// Read on every request with a session cookie, so written out once rather than built each time, and
// prepared once per connection (queryPrepared, which also explains why every column is named), and
// sent once for all requests that arrive together (CoalescedLookup: the sid picks each one's row). The
// session's columns come first, then the user's and the header's avatar; columnsAt cuts the row.
// A suspended user is not joined: the session reads as signed out from the suspension's commit on,
// even for a sign-in that was racing with it.
const SIGNED_IN_USER_COLUMNS = [...USER_COLUMNS, "provider_avatar_url"] as const;
const LIVE_SESSION_WITH_USER = `SELECT ${SESSION_COLUMNS.map((c) => `s.${c}`).join(", ")}, ${USER_COLUMNS.map((c) => `u.${c}`).join(", ")}, ${providerAvatarSql("u")}
  FROM sessions AS s LEFT JOIN users AS u ON u.id = s.user_id AND u.suspended_at IS NULL
  WHERE s.sid = ANY($1) AND s.ended_at IS NULL AND s.expires_at > now()`;
const liveSessionsWithUsers = new CoalescedLookup<string>("live-sessions-with-users", LIVE_SESSION_WITH_USER, SESSION_COLUMNS.indexOf("sid"));

/** The live session with this id and its signed-in user (undefined when signed out), in one query. */
export async function findLiveSessionWithUser(sid: string): Promise<{ session: SessionRow; user?: UserRow & { provider_avatar_url: string | null } } | undefined> {
  const [row] = await liveSessionsWithUsers.rowsFor(sid);
  if (!row) return undefined;
  return {
    session: columnsAt<SessionRow>(SESSION_COLUMNS, row),
    user: joinedAt<UserRow & { provider_avatar_url: string | null }>(SIGNED_IN_USER_COLUMNS, row, SESSION_COLUMNS.length),
  };
}

/** Stores a signed-out session under an id generated in this request; an existing id is left alone. */
export async function insertSignedOutSession(sid: string, data: Record<string, unknown>, q: Executor = db): Promise<void> {
  await q.raw(
    `INSERT INTO sessions (sid, data, expires_at, absolute_expires_at)
     VALUES (?, ?, now() + make_interval(secs => ?), now() + make_interval(secs => ?))
     ON CONFLICT (sid) DO NOTHING`,
    [sid, JSON.stringify(data), SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS],
  );
}

/** Replaces the data of a live session; an ended or missing one stays as it is. */
export async function updateSessionData(sid: string, data: Record<string, unknown>, q: Executor = db): Promise<void> {
  await q("sessions").where({ sid }).whereNull("ended_at").update({ data: JSON.stringify(data) });
}

/**
 * Marks a session as seen now and, unless it is remembered (whose end is fixed at sign-in), pushes
 * its idle expiry, never past its absolute end.
 */
export async function touchSession(sid: string, idleSeconds = SESSION_IDLE_SECONDS, q: Executor = db): Promise<void> {
  await q.raw(
    `UPDATE sessions SET last_seen_at = now(),
       expires_at = CASE WHEN remember THEN expires_at ELSE least(now() + make_interval(secs => ?), absolute_expires_at) END
     WHERE sid = ? AND ended_at IS NULL`,
    [idleSeconds, sid],
  );
}

/** Ends one session: it can never be read or written again. */
export async function endSessionById(sid: string, q: Executor = db): Promise<void> {
  await q("sessions").where({ sid }).whereNull("ended_at").update({ ended_at: q.fn.now(), data: "{}" });
}

/** Ends the signed-in sessions of a user, all but `exceptSid` when given; returns how many ended. */
export async function endSessionsForUser(userId: number, exceptSid: string | undefined, q: Executor = db): Promise<number> {
  const query = q("sessions").where({ user_id: userId }).whereNull("ended_at");
  if (exceptSid) query.whereNot({ sid: exceptSid });
  return query.update({ ended_at: q.fn.now(), data: "{}" });
}

/** Ends one signed-in session of this user; false when this user has no such live session. */
export async function endSessionForUser(userId: number, sid: string, q: Executor = db): Promise<boolean> {
  const ended = await q("sessions").where({ user_id: userId, sid }).whereNull("ended_at").update({ ended_at: q.fn.now(), data: "{}" });
  return ended > 0;
}

export interface SignInRecord {
  sid: string;
  userId: number;
  remember: boolean;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  lifetimes: { idleSeconds: number; maxSeconds: number; rememberedSeconds: number };
}

/** The security-log entry written with a sign-in (src/services/security-log.ts writes the others). */
export interface SignInEvent {
  action: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/**
 * Signs a session in: the row of an id generated for this sign-in (inserted, or already stored by
 * the request with its data) gets its user and lifetimes, and the sign-in's security-log entry is
 * written in the same statement, only when the session was signed in: both or neither are stored,
 * without a transaction's BEGIN and COMMIT round trips. A row that was ended, or that belongs to
 * somebody already, is left alone; the caller treats that as a failed sign-in.
 */
export async function signInSession(r: SignInRecord, event: SignInEvent, q: Executor = db): Promise<boolean> {
  const lifetime = r.remember ? r.lifetimes.rememberedSeconds : r.lifetimes.idleSeconds;
  const absolute = r.remember ? r.lifetimes.rememberedSeconds : r.lifetimes.maxSeconds;
  const { rows } = await q.raw<{ rows: unknown[] }>(
    `WITH signed AS (
       INSERT INTO sessions (sid, data, user_id, remember, ip, user_agent, signed_in_at, expires_at, absolute_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, now(), now() + make_interval(secs => ?), now() + make_interval(secs => ?))
       ON CONFLICT (sid) DO UPDATE SET user_id = excluded.user_id, remember = excluded.remember, ip = excluded.ip,
         user_agent = excluded.user_agent, signed_in_at = excluded.signed_in_at, last_seen_at = now(),
         expires_at = excluded.expires_at, absolute_expires_at = excluded.absolute_expires_at
       WHERE sessions.ended_at IS NULL AND sessions.user_id IS NULL
       RETURNING sid)
     INSERT INTO security_events (user_id, action, ip, user_agent, details)
     SELECT ?, ?, ?, ?, ? FROM signed
     RETURNING id`,
    [r.sid, JSON.stringify(r.data), r.userId, r.remember, r.ip, r.userAgent, lifetime, absolute,
      r.userId, event.action, event.ip, event.userAgent, JSON.stringify(event.details)],
  );
  return rows.length === 1;
}

/**
 * Moves a live session to a new id, keeping everything else (user, public id, lifetimes, data).
 * The old id stops existing, so a copy of the old cookie, wherever it leaked, signs nobody in and
 * nothing can write to it. False when the session had ended meanwhile.
 */
export async function renameSession(oldSid: string, newSid: string, q: Executor = db): Promise<boolean> {
  const renamed = await q("sessions").where({ sid: oldSid }).whereNull("ended_at").update({ sid: newSid, last_seen_at: q.fn.now() });
  return renamed > 0;
}

/** The live signed-in sessions of a user, newest activity first; one indexed query over this user's rows. */
export function listLiveSessionsForUser(userId: number, q: Executor = db): Promise<LiveSessionRow[]> {
  return q<LiveSessionRow>("sessions")
    .where({ user_id: userId })
    .whereNull("ended_at")
    .where("expires_at", ">", q.fn.now())
    .orderBy([{ column: "last_seen_at", order: "desc" }, { column: "signed_in_at", order: "desc" }]);
}

/** The live session of this user with this public id, or undefined (someone else's id finds nothing). */
export function findLiveSessionForUser(userId: number, publicId: string, q: Executor = db): Promise<LiveSessionRow | undefined> {
  return q<LiveSessionRow>("sessions")
    .where({ user_id: userId, public_id: publicId })
    .whereNull("ended_at")
    .where("expires_at", ">", q.fn.now())
    .first();
}

/** Deletes rows that ended or expired more than a day ago; returns how many went. */
export async function pruneSessions(q: Executor = db): Promise<number> {
  return q("sessions")
    .where("expires_at", "<", q.raw("now() - interval '1 day'"))
    .orWhere("ended_at", "<", q.raw("now() - interval '1 day'"))
    .delete();
}
