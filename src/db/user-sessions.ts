import { db, type Executor } from "./knex";

export interface UserSessionRow {
  sid: string;
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
