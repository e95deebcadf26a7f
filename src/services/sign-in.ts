import { db } from "../db/knex";
import { signInSession, type SignInRecord } from "../db/sessions";
import type { UserRow } from "../db/users";
import type { Mailer } from "../emails/mailer";
import { newDeviceNoticeFor } from "./new-device-notice";
import type { RequestMeta } from "./request-meta";
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
 * The bookkeeping of a sign-in: the new-device notice (checked before this sign-in is recorded, so
 * it does not count as having seen its own device), the signed-in session row, and the security-log
 * entry. False when the session row could not be signed in (it ended meanwhile); nothing is then
 * recorded.
 *
 * The session row and the log entry are one statement (signInSession), so a sign-in from a known
 * device, nearly all of them, costs two statements and no transaction. Only when a notice is due is
 * it queued in a transaction with that statement, so a mail goes out exactly for a recorded sign-in.
 */
export async function recordSignIn(mailer: Mailer, user: UserRow, session: NewSession, method: string, meta: RequestMeta): Promise<boolean> {
  const notice = await newDeviceNoticeFor(user, meta);
  const row: SignInRecord = { sid: session.sid, userId: user.id, remember: session.remember, ip: meta.ip, userAgent: meta.userAgent, data: session.data, lifetimes: session.lifetimes };
  const event = { action: "sign_in", ip: meta.ip, userAgent: meta.userAgent, details: { method } };
  if (!notice) {
    const signed = await signInSession(row, event);
    if (signed) signIns.inc({ method, result: "success" });
    return signed;
  }
  try {
    await db.transaction(async (trx) => {
      if (!(await signInSession(row, event, trx))) throw new SessionEnded();
      await mailer.queue(notice, trx);
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
