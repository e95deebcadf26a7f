import { randomUUID } from "node:crypto";
import type { Config } from "../config";
import { db, type Executor } from "../db/knex";
import { insertOutboundMail } from "../db/outbound-mails";
import type { MailDraft } from "./mail";

/** What services queue mail through (`ctx.mail`). */
export interface Mailer {
  /**
   * Renders a mail and queues it in the caller's transaction: it is sent once that commits (the
   * queue wakes the mail worker at commit, see insertOutboundMail), and never if it rolls back.
   */
  queue: (mail: MailDraft, q?: Executor) => Promise<void>;
}

/**
 * The one place where mail links become absolute: every link in every mail is built on the
 * configured public base URL, never on the Host header of the request that caused the mail (which
 * an attacker chooses, and which would then carry a reset token to their server). Each mail's
 * Message-ID is chosen here too, on the same host, and stored with it: a mail the worker has to
 * send again after a crash is then recognisably the same message.
 */
export function createMailer(config: Pick<Config, "baseUrl">): Mailer {
  const host = new URL(config.baseUrl).hostname;
  return {
    async queue(mail, q = db) {
      const { subject, text, html } = mail.render(config.baseUrl);
      await insertOutboundMail({ user_id: mail.userId, to: mail.to, subject, text, html, message_id: `<${randomUUID()}@${host}>` }, q);
    },
  };
}
