import nodemailer from "nodemailer";
import type { Config } from "../config";
import { db } from "../db/knex";
import { lockDueOutboundMails, markOutboundMailFailed, markOutboundMailSent, OUTBOUND_MAIL_CHANNEL, type OutboundMailRow } from "../db/outbound-mails";
import { listen } from "../db/notifications";
import type { Logger } from "../lib/logger";

// Queued mail wakes the worker through a notification at its transaction's commit
// (insertOutboundMail); the poll is the fallback for what no notification announces: retries that
// fall due, and mail queued while the listening connection was down.
const POLL_MS = 5000;
const BATCH = 20;
// After a failed drain (typically: the database is down) the timer backs off, doubling from one
// second up to this, so an outage costs a log line every few seconds rather than one a second,
// and resumes within this long once the database is back.
const MAX_BACKOFF_MS = 10_000;

export interface MailWorker {
  stop: () => Promise<void>;
}

/**
 * Sends queued mail: over SMTP when SMTP_URL is set; otherwise (development only) it marks the mail
 * as delivered to the development outbox at /dev/mail and logs that it did, without the body, since
 * bodies carry live links that logs must never hold.
 */
export function startMailWorker(config: Config, logger: Logger): MailWorker {
  const transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;
  const keepBodies = !transport && !config.isProduction;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let failures = 0;
  let resumeAt = 0;

  async function deliver(mail: OutboundMailRow) {
    if (transport) {
      await transport.sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text ?? "", html: mail.html ?? "" });
      logger.info({ mailId: mail.id, subject: mail.subject }, "mail sent");
    } else {
      logger.info({ mailId: mail.id, to: mail.to, subject: mail.subject, preview: `${config.baseUrl}/dev/mail/${mail.id}` }, "mail written to the development outbox");
    }
  }

  async function drain() {
    for (;;) {
      const sent = await db.transaction(async (trx) => {
        const due = await lockDueOutboundMails(BATCH, trx);
        for (const mail of due) {
          try {
            await deliver(mail);
            await markOutboundMailSent(mail.id, keepBodies, trx);
          } catch (err) {
            logger.warn({ mailId: mail.id, err: (err as Error).message }, "mail delivery failed; will retry");
            await markOutboundMailFailed(mail.id, mail.attempts + 1, (err as Error).message, trx);
          }
        }
        return due.length;
      });
      if (sent < BATCH || stopped) return;
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
        // its table until a later drain succeeds.
        failures += 1;
        const retryInMs = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** (failures - 1));
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
