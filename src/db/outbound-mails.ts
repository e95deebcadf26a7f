import { db, type Executor } from "./knex";
import { notify } from "./notifications";

/** The channel on which a queued mail wakes the mail workers (see insertOutboundMail). */
export const OUTBOUND_MAIL_CHANNEL = "outbound_mails";

export interface OutboundMailRow {
  id: number;
  /** The account the mail is for; null for mail to an address as such (invitations) and older rows. */
  user_id: number | null;
  to: string;
  subject: string;
  text: string | null;
  html: string | null;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

/**
 * Queues a rendered mail and wakes the mail workers. In the caller's transaction both take effect at
 * its commit: a rolled-back transaction leaves no mail and wakes nobody, and a committed one's mail
 * is sent at once, by whichever worker locks it first.
 */
export async function insertOutboundMail(mail: Pick<OutboundMailRow, "user_id" | "to" | "subject" | "text" | "html">, q: Executor = db): Promise<void> {
  await q("outbound_mails").insert(mail);
  await notify(OUTBOUND_MAIL_CHANNEL, q);
}

/**
 * Locks and returns up to `limit` due, unsent mails. SKIP LOCKED lets several app processes run
 * workers without sending a mail twice; the caller must hold a transaction.
 */
export function lockDueOutboundMails(limit: number, trx: Executor): Promise<OutboundMailRow[]> {
  return trx<OutboundMailRow>("outbound_mails")
    .whereNull("sent_at")
    .where("next_attempt_at", "<=", trx.fn.now())
    .orderBy("id")
    .limit(limit)
    .forUpdate()
    .skipLocked();
}

/** Marks a mail sent; erases its bodies unless `keepBodies` (the development outbox). */
export async function markOutboundMailSent(id: number, keepBodies: boolean, q: Executor = db): Promise<void> {
  await q("outbound_mails")
    .where({ id })
    .update({ sent_at: q.fn.now(), last_error: null, ...(keepBodies ? {} : { text: null, html: null }) });
}

/** Records a failed attempt and schedules the next one with exponential back-off. */
export async function markOutboundMailFailed(id: number, attempts: number, error: string, q: Executor = db): Promise<void> {
  const delaySeconds = Math.min(2 ** attempts * 15, 3600);
  await q("outbound_mails")
    .where({ id })
    .update({
      attempts,
      last_error: error.slice(0, 500),
      next_attempt_at: q.raw(`now() + make_interval(secs => ?)`, [delaySeconds]),
    });
}

/** The newest mails of the development outbox, newest first. */
export function listOutboundMails(limit: number, offset: number, q: Executor = db): Promise<OutboundMailRow[]> {
  return q<OutboundMailRow>("outbound_mails").orderBy("id", "desc").limit(limit).offset(offset);
}

/** One mail of the development outbox, or undefined. */
export function findOutboundMail(id: number, q: Executor = db): Promise<OutboundMailRow | undefined> {
  return q<OutboundMailRow>("outbound_mails").where({ id }).first();
}
