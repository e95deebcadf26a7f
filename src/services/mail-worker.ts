import nodemailer from "nodemailer";
import type { Config } from "../config";
import { claimDueOutboundMail, markOutboundMailSent, OUTBOUND_MAIL_CHANNEL, recordOutboundMailFailure, type OutboundMailRow } from "../db/outbound-mails";
import { listen } from "../db/notifications";
import type { Logger } from "../lib/logger";

// Queued mail wakes the worker through a notification at its transaction's commit
// (insertOutboundMails); the poll is the fallback for what no notification announces: retries that
// fall due, and mail queued while the listening connection was down.
const POLL_MS = 5000;
// After a failed round (typically: the database is down) the poll backs off, doubling from one
// second up to this, so an outage costs a log line every few seconds rather than one a second,
// and resumes within this long once the database is back.
const MAX_BACKOFF_MS = 10_000;
// Bounds on one SMTP conversation, so that a server that accepts connections and then stalls cannot
// hold the worker (nodemailer waits up to ten minutes by default). Together well below CLAIM_SECONDS.
const SMTP_TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

export interface MailWorker {
  /** Stops after the send in progress, if any. */
  stop: () => Promise<void>;
}

/** What a failed send is logged and stored with: the SMTP server's answer, never the mail. */
function describeFailure(err: unknown): { message: string; code?: string; responseCode?: number } {
  const e = err as { message?: string; code?: string; responseCode?: number };
  return { message: String(e?.message ?? err).split("\n")[0]!, code: e?.code, responseCode: e?.responseCode };
}

/**
 * Sends queued mail, one at a time: over SMTP when SMTP_URL is set; otherwise (development only) it
 * marks the mail as delivered to the development outbox at /dev/mail and logs that it did, without
 * the body, since bodies carry live links that logs must never hold.
 *
 * Each mail is claimed (src/db/outbound-mails.ts), sent, and marked sent as soon as the SMTP server
 * has accepted it, before the next one is claimed: when the database goes away mid-round, at most
 * the mail just accepted is sent again (with the same Message-ID), once its claim has run out.
 * A refused or failed send is retried with back-off until MAIL_GIVE_UP_HOURS after it was queued,
 * then marked failed with the server's last answer; admins list and retry failed mail
 * (src/services/failed-mails.ts).
 */
export function startMailWorker(config: Config, logger: Logger): MailWorker {
  const transport = config.smtpUrl ? nodemailer.createTransport({ url: config.smtpUrl, ...SMTP_TIMEOUTS }) : undefined;
  const keepBodies = !transport && !config.isProduction;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let failures = 0;
  let resumeAt = 0;

  async function deliver(mail: OutboundMailRow) {
    if (transport) {
      await transport.sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text ?? "", html: mail.html ?? "", messageId: mail.message_id });
      logger.info({ mailId: mail.id, subject: mail.subject }, "mail sent");
    } else {
      logger.info({ mailId: mail.id, to: mail.to, subject: mail.subject, preview: `${config.baseUrl}/dev/mail/${mail.id}` }, "mail written to the development outbox");
    }
  }

  /** Sends one claimed mail and records the outcome; false when the send failed. */
  async function send(mail: OutboundMailRow): Promise<boolean> {
    try {
      await deliver(mail);
    } catch (err) {
      const failure = describeFailure(err);
      const { failed, attempts } = await recordOutboundMailFailure(mail.id, failure.message, config.mailGiveUpHours);
      const fields = { mailId: mail.id, attempts, err: failure.message, code: failure.code, responseCode: failure.responseCode };
      if (failed) logger.error({ ...fields, giveUpHours: config.mailGiveUpHours }, "mail delivery failed; gave up");
      else logger.warn(fields, "mail delivery failed; will retry");
      return false;
    }
    await markOutboundMailSent(mail.id, keepBodies);
    return true;
  }

  async function drain() {
    while (!stopped) {
      const mail = await claimDueOutboundMail();
      if (!mail) return;
      // One failed send ends the round: while the SMTP server is down the next mails would fail
      // alike, so they wait for their own turn (the next poll) instead of each spending an attempt now.
      if (!(await send(mail))) return;
    }
  }

  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .then(() => {
        if (failures > 0) logger.info({ failures }, "mail worker is sending again");
        failures = 0;
        resumeAt = 0;
      })
      .catch((err) => {
        // Never rethrown: the worker lives as long as the process, and the mail stays queued in
        // its table until a later round succeeds.
        failures += 1;
        const retryInMs = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
        resumeAt = Date.now() + retryInMs;
        logger.error({ err: (err as Error).message, failures, retryInMs }, "mail worker failed; will retry");
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  // A notification ignores the backoff: the commit that sent it proves the database answers again.
  const listener = listen(OUTBOUND_MAIL_CHANNEL, kick, logger);
  const timer = setInterval(() => {
    if (Date.now() >= resumeAt) kick();
  }, POLL_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await listener.stop();
      await running;
      transport?.close();
    },
  };
}
