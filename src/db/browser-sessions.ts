import { db, type Executor } from "./knex";
import { USER_COLUMNS, type UserRow } from "./users";

/** A signed-in session this browser holds besides the one in use, with its user (src/http/browser-accounts.ts). */
export interface HeldSessionRow {
  sid: string;
  public_id: string;
  remember: boolean;
  absolute_expires_at: Date;
  user: UserRow;
}

/**
 * The sessions among `sids` that are signed in, neither ended nor expired, with their users, in one
 * query. A suspended user is not joined, so their session reads as gone, as it does when it is the
 * session in use (findLiveSessionWithUser). The order is the database's; callers keep their own.
 */
export async function listSignedInSessionsBySid(sids: string[], q: Executor = db): Promise<HeldSessionRow[]> {
  if (sids.length === 0) return [];
  const rows: Record<string, unknown>[] = await q("sessions as s")
    .join("users as u", (on) => on.on("u.id", "s.user_id").andOnNull("u.suspended_at"))
    .whereIn("s.sid", sids)
    .whereNull("s.ended_at")
    .where("s.expires_at", ">", q.fn.now())
    .select(
      "s.sid as session$sid", "s.public_id as session$public_id", "s.remember as session$remember",
      "s.absolute_expires_at as session$absolute_expires_at", ...USER_COLUMNS.map((c) => `u.${c}`),
    );
  return rows.map((row) => {
    const user = {} as Record<string, unknown>;
    for (const c of USER_COLUMNS) user[c] = row[c];
    return {
      sid: row["session$sid"] as string,
      public_id: row["session$public_id"] as string,
      remember: row["session$remember"] as boolean,
      absolute_expires_at: row["session$absolute_expires_at"] as Date,
      user: user as unknown as UserRow,
    };
  });
}
