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
  /** The Message-ID header, chosen when queued, so a mail sent twice carries the same one. */
  message_id: string;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  /** When the worker gave up on it (see recordOutboundMailFailure); null while it is still tried. */
  failed_at: Date | null;
  last_error: string | null;
  /** When it entered the queue: its creation, or an admin's retry. The give-up time counts from here. */
  queued_at: Date;
  created_at: Date;
}

/** A failed mail as the admin pages list it: never its bodies, which hold live links. */
export type FailedMailRow = Pick<OutboundMailRow, "id" | "user_id" | "to" | "subject" | "attempts" | "last_error" | "queued_at" | "failed_at" | "created_at">;

/**
 * How long a mail claimed by a worker is kept from the others. Longer than one SMTP send can take
 * (the worker's transport timeouts), so two workers never send it at once; when a worker dies
 * mid-send, another sends it again once this has passed.
 */
export const CLAIM_SECONDS = 5 * 60;

/** A rendered mail as it enters the queue. */
export type NewOutboundMail = Pick<OutboundMailRow, "user_id" | "to" | "subject" | "text" | "html" | "message_id">;

/**
 * Queues rendered mails, in one statement however many, and wakes the mail workers. In the caller's
 * transaction both take effect at its commit: a rolled-back transaction leaves no mail and wakes
 * nobody, and a committed one's mails are sent at once, by whichever workers claim them first.
 */
export async function insertOutboundMails(mails: NewOutboundMail[], q: Executor = db): Promise<void> {
  if (mails.length === 0) return;
  await q("outbound_mails").insert(mails);
  await notify(OUTBOUND_MAIL_CHANNEL, q);
}

/**
 * Claims the oldest due mail for one send and returns it, or undefined when none is due: its next
 * attempt moves CLAIM_SECONDS ahead in the same statement, which commits at once, so no transaction
 * or row lock is held while the SMTP server is talked to. SKIP LOCKED lets several app processes
 * claim at the same moment without waiting for or taking the same mail.
 */
export async function claimDueOutboundMail(q: Executor = db): Promise<OutboundMailRow | undefined> {
  const { rows } = await q.raw<{ rows: OutboundMailRow[] }>(
    `UPDATE outbound_mails SET next_attempt_at = now() + make_interval(secs => ?)
     WHERE id = (SELECT id FROM outbound_mails WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                 ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [CLAIM_SECONDS],
  );
  return rows[0];
}

/** Marks a mail sent; erases its bodies unless `keepBodies` (the development outbox). */
export async function markOutboundMailSent(id: number, keepBodies: boolean, q: Executor = db): Promise<void> {
  await q("outbound_mails")
    .where({ id })
    .update({ sent_at: q.fn.now(), last_error: null, ...(keepBodies ? {} : { text: null, html: null }) });
}

/**
 * Records a failed attempt. Within `giveUpHours` of being queued the mail is tried again with
 * exponential back-off (30 s, 1 min, 2 min, ... up to an hour between attempts); after that it is
 * marked failed, keeping `error` as the reason. Returns whether it was marked failed. The clock is
 * the database's, the one that set queued_at.
 */
export async function recordOutboundMailFailure(id: number, error: string, giveUpHours: number, q: Executor = db): Promise<{ failed: boolean; attempts: number }> {
  const { rows } = await q.raw<{ rows: { failed: boolean; attempts: number }[] }>(
    `UPDATE outbound_mails SET
       attempts = attempts + 1,
       last_error = ?,
       failed_at = CASE WHEN queued_at <= now() - make_interval(hours => ?) THEN now() END,
       next_attempt_at = now() + make_interval(secs => least(power(2, attempts + 1) * 15, 3600))
     WHERE id = ?
     RETURNING failed_at IS NOT NULL AS failed, attempts`,
    [error.slice(0, 500), giveUpHours, id],
  );
  return rows[0] ?? { failed: false, attempts: 0 };
}

/** Failed mails, most recent failure first, without their bodies. */
export function listFailedOutboundMails(limit: number, offset: number, q: Executor = db): Promise<FailedMailRow[]> {
  return q<OutboundMailRow>("outbound_mails")
    .whereNotNull("failed_at")
    .orderBy([{ column: "failed_at", order: "desc" }, { column: "id", order: "desc" }])
    .limit(limit)
    .offset(offset)
    .select("id", "user_id", "to", "subject", "attempts", "last_error", "queued_at", "failed_at", "created_at");
}

/** How many mails have failed. */
export async function countFailedOutboundMails(q: Executor = db): Promise<number> {
  const row = await q("outbound_mails").whereNotNull("failed_at").count<{ count: string }[]>({ count: "*" }).first();
  return Number(row?.count ?? 0);
}

/**
 * Puts a failed mail back in the queue as if newly queued (attempts and the give-up time start
 * again) and wakes the workers; it keeps its Message-ID. Returns it, or undefined when there is no
 * failed mail with this id (unknown, still queued, or already sent).
 */
export async function requeueFailedOutboundMail(id: number, q: Executor = db): Promise<FailedMailRow | undefined> {
  const [row] = await q<OutboundMailRow>("outbound_mails")
    .where({ id })
    .whereNotNull("failed_at")
    .update({ failed_at: null, attempts: 0, queued_at: q.fn.now(), next_attempt_at: q.fn.now() })
    .returning(["id", "user_id", "to", "subject", "attempts", "last_error", "queued_at", "failed_at", "created_at"]);
  if (row) await notify(OUTBOUND_MAIL_CHANNEL, q);
  return row as FailedMailRow | undefined;
}

/** The newest mails of the development outbox, newest first. */
export function listOutboundMails(limit: number, offset: number, q: Executor = db): Promise<OutboundMailRow[]> {
  return q<OutboundMailRow>("outbound_mails").orderBy("id", "desc").limit(limit).offset(offset);
}

/** One mail of the development outbox, or undefined. */
export function findOutboundMail(id: number, q: Executor = db): Promise<OutboundMailRow | undefined> {
  return q<OutboundMailRow>("outbound_mails").where({ id }).first();
}
