import { db } from "../db/knex";
import { signInSession } from "../db/sessions";
import type { UserRow } from "../db/users";
import type { Mailer } from "../emails/mailer";
import { noticeSignInFromNewDevice } from "./new-device-notice";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";
import { signIns } from "../metrics/registry";
import type { SessionLifetimes } from "./instance-settings";

export interface NewSession {
  /** The id generated for this sign-in (never the one the browser came with: no session fixation). */
  sid: string;
  remember: boolean;
  /** What the session already holds (kept through sign-in by some flows). */
  data: Record<string, unknown>;
  /** The instance's session lifetimes at sign-in. */
  lifetimes: SessionLifetimes;
}

/**
 * The bookkeeping of a sign-in, in one transaction: the new-device notice (checked before this
 * sign-in is recorded, so it does not count as having seen its own device), the signed-in session
 * row, and the security-log entry. False when the session row could not be signed in (it ended
 * meanwhile); nothing is then recorded.
 */
export async function recordSignIn(mailer: Mailer, user: UserRow, session: NewSession, method: string, meta: RequestMeta): Promise<boolean> {
  try {
    await db.transaction(async (trx) => {
      await noticeSignInFromNewDevice(mailer, user, meta, trx);
      const row = { sid: session.sid, userId: user.id, remember: session.remember, ip: meta.ip, userAgent: meta.userAgent, data: session.data, lifetimes: session.lifetimes };
      if (!(await signInSession(row, trx))) throw new SessionEnded();
      await recordSecurityEvent(user.id, "sign_in", meta, { method }, trx);
    });
    signIns.inc({ method, result: "success" });
    return true;
  } catch (err) {
    if (err instanceof SessionEnded) return false;
    throw err;
  }
}

/** Rolls the sign-in's transaction back when its session row cannot be signed in. */
class SessionEnded extends Error {}
