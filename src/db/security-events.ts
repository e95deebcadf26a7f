import { db, type Executor } from "./knex";

export interface SecurityEventRow {
  id: number;
  user_id: number;
  action: string;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

/** Appends an entry to a user's security log. */
export async function insertSecurityEvent(
  row: Pick<SecurityEventRow, "user_id" | "action" | "ip" | "user_agent"> & { details?: Record<string, unknown> },
  q: Executor = db,
): Promise<void> {
  await q("security_events").insert({ ...row, details: JSON.stringify(row.details ?? {}) });
}

/** A page of a user's security log, newest first. */
export function listSecurityEventsForUser(userId: number, limit: number, offset: number, q: Executor = db): Promise<SecurityEventRow[]> {
  return q<SecurityEventRow>("security_events").where({ user_id: userId }).orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }]).limit(limit).offset(offset);
}

/**
 * What a new-device check needs in one query: whether the user ever signed in, and whether this IP
 * and user agent are known (a live session of theirs, or a sign-in recorded since `since`).
 */
export async function findSignInHistory(
  userId: number, ip: string | null, userAgent: string | null, since: Date, q: Executor = db,
): Promise<{ signedInBefore: boolean; knownDevice: boolean }> {
  const { rows } = await q.raw<{ rows: { signed_in_before: boolean; known_device: boolean }[] }>(
    `SELECT EXISTS (SELECT 1 FROM security_events WHERE user_id = :userId AND action = 'sign_in') AS signed_in_before,
       EXISTS (SELECT 1 FROM sessions WHERE user_id = :userId AND ended_at IS NULL AND expires_at > now()
               AND ip IS NOT DISTINCT FROM :ip AND user_agent IS NOT DISTINCT FROM :userAgent)
       OR EXISTS (SELECT 1 FROM security_events WHERE user_id = :userId AND action = 'sign_in' AND created_at >= :since
               AND ip IS NOT DISTINCT FROM :ip AND user_agent IS NOT DISTINCT FROM :userAgent) AS known_device`,
    { userId, ip, userAgent, since },
  );
  return { signedInBefore: rows[0]!.signed_in_before, knownDevice: rows[0]!.known_device };
}

/**
 * Appends an entry to the log of the account whose username or email equals `login` (the lookup of
 * findUserByLogin), in one statement that inserts nothing when there is no such account: the same
 * query runs for a known and an unknown login.
 */
export async function insertSecurityEventForLogin(
  login: string,
  row: Pick<SecurityEventRow, "action" | "ip" | "user_agent"> & { details?: Record<string, unknown> },
  q: Executor = db,
): Promise<void> {
  const column = login.includes("@") ? "email" : "username";
  await q.raw(
    `INSERT INTO security_events (user_id, action, ip, user_agent, details)
     SELECT id, :action, :ip, :userAgent, :details::jsonb FROM users WHERE :column: = :login`,
    { action: row.action, ip: row.ip, userAgent: row.user_agent, details: JSON.stringify(row.details ?? {}), login, column },
  );
}

/** How many entries a user's security log holds. */
export function countSecurityEventsForUser(userId: number, q: Executor = db): Promise<number> {
  return q("security_events").where({ user_id: userId }).count<{ count: string | number }>({ count: "*" }).first().then((r) => Number(r?.count ?? 0));
}

/** Deletes every entry older than `days`, for every user; returns how many went. */
export function pruneSecurityEventsOlderThan(days: number, q: Executor = db): Promise<number> {
  return q("security_events").where("created_at", "<", q.raw(`now() - make_interval(days => ?)`, [days])).delete();
}
