import { db } from "../db/knex";
import { endSessionForUser, endSessionsForUser, findLiveSessionForUser, listLiveSessionsForUser } from "../db/sessions";
import type { UserRow } from "../db/users";
import { describeUserAgent } from "../lib/user-agent";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** One row of the sessions page. Never carries the session id: that is a credential. */
export interface SessionView {
  publicId: string;
  browser: string;
  os: string;
  ip: string | null;
  signedInAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

/** The user's live sessions as the sessions page shows them, this device first. */
export async function listSessionsForPage(userId: number, currentSid: string): Promise<SessionView[]> {
  const rows = await listLiveSessionsForUser(userId);
  const views = rows.map((row) => ({
    publicId: row.public_id,
    ...describeUserAgent(row.user_agent),
    ip: row.ip,
    signedInAt: row.signed_in_at,
    lastSeenAt: row.last_seen_at,
    current: row.sid === currentSid,
  }));
  return views.sort((a, b) => Number(b.current) - Number(a.current));
}

export type RevokeResult = { outcome: "revoked"; device: string } | { outcome: "current" } | { outcome: "not_found" };

/**
 * Ends one session of this user, named by its public id. The lookup is scoped to the user, so
 * someone else's session is "not_found" (a 404), never revoked. The current session is reported as
 * such: ending it is a sign-out, which the caller performs.
 */
export async function revokeSession(user: UserRow, publicId: string, currentSid: string, meta: RequestMeta): Promise<RevokeResult> {
  const row = await findLiveSessionForUser(user.id, publicId);
  if (!row) return { outcome: "not_found" };
  if (row.sid === currentSid) return { outcome: "current" };
  const { browser, os } = describeUserAgent(row.user_agent);
  const revoked = await db.transaction(async (trx) => {
    if (!(await endSessionForUser(user.id, row.sid, trx))) return false;
    await recordSecurityEvent(user.id, "session.revoked", meta, { ip: row.ip, device: `${browser} on ${os}` }, trx);
    return true;
  });
  return revoked ? { outcome: "revoked", device: `${browser} on ${os}` } : { outcome: "not_found" };
}

/** Ends every session of this user but the current one. */
export async function revokeOtherSessions(user: UserRow, currentSid: string, meta: RequestMeta): Promise<void> {
  await db.transaction(async (trx) => {
    await endSessionsForUser(user.id, currentSid, trx);
    await recordSecurityEvent(user.id, "session.revoked_others", meta, {}, trx);
  });
}
