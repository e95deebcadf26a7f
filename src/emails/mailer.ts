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
 * an attacker chooses, and which would then carry a reset token to their server).
 */
export function createMailer(config: Pick<Config, "baseUrl">): Mailer {
  return {
    async queue(mail, q = db) {
      const { subject, text, html } = mail.render(config.baseUrl);
      await insertOutboundMail({ user_id: mail.userId, to: mail.to, subject, text, html }, q);
    },
  };
}
