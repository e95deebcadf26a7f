import nodemailer from "nodemailer";
import type { Config } from "../config";
import { db } from "../db/knex";
import { lockDueOutboundMails, markOutboundMailFailed, markOutboundMailSent, type OutboundMailRow } from "../db/outbound-mails";
import type { Logger } from "../lib/logger";

const POLL_MS = 1000;
const BATCH = 20;

export interface MailWorker {
  /** Looks for due mail now instead of at the next poll. */
  kick: () => void;
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
      .catch((err) => logger.error({ err: (err as Error).message }, "mail worker failed"))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  const timer = setInterval(kick, POLL_MS);
  timer.unref();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport?.close();
    },
  };
}
