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
  return q<SecurityEventRow>("security_events").where({ user_id: userId }).orderBy("id", "desc").limit(limit).offset(offset);
}

/** True when the user has a sign-in recorded from this IP and user agent since `since`. */
export async function hasSignInFromSince(userId: number, ip: string | null, userAgent: string | null, since: Date, q: Executor = db): Promise<boolean> {
  const row = await q("security_events")
    .where({ user_id: userId, action: "sign_in", ip, user_agent: userAgent })
    .where("created_at", ">=", since)
    .first("id");
  return !!row;
}

/** True when the user has ever signed in (any recorded sign-in). */
export async function hasAnySignIn(userId: number, q: Executor = db): Promise<boolean> {
  const row = await q("security_events").where({ user_id: userId, action: "sign_in" }).first("id");
  return !!row;
}
