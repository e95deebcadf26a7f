import { randomUUID } from "node:crypto";
import type { Config } from "../config";
import { db, type Executor } from "../db/knex";
import { insertNotMeCode } from "../db/email-codes";
import { insertOutboundMails, type NewOutboundMail } from "../db/outbound-mails";
import { hashToken, randomToken } from "../lib/tokens";
import type { MailDraft } from "./mail";

/** How long a security mail's "This wasn't me" link works: long enough for mail read days later. */
export const NOT_ME_DAYS = 14;

/** What services queue mail through (`ctx.mail`). */
export interface Mailer {
  /**
   * Renders a mail and queues it in the caller's transaction: it is sent once that commits (the
   * queue wakes the mail worker at commit, see insertOutboundMails), and never if it rolls back.
   */
  queue: (mail: MailDraft, q?: Executor) => Promise<void>;
  /** Like `queue` for several mails (a notice to every owner, say), inserted in one statement. */
  queueAll: (mails: MailDraft[], q?: Executor) => Promise<void>;
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
  async function rendered(mail: MailDraft, q: Executor): Promise<NewOutboundMail> {
    const { subject, text, html } = mail.render(config.baseUrl, mail.securityNotice ? { notMeUrl: await issueNotMeCode(mail, q) } : {});
    return { user_id: mail.userId, to: mail.to, subject, text, html, message_id: `<${randomUUID()}@${host}>` };
  }
  return {
    queue: async (mail, q = db) => insertOutboundMails([await rendered(mail, q)], q),
    async queueAll(mails, q = db) {
      const rows: NewOutboundMail[] = [];
      for (const mail of mails) rows.push(await rendered(mail, q));
      await insertOutboundMails(rows, q);
    },
  };
}

/**
 * Stores the one-time code of a security mail's "This wasn't me" link, in the mail's transaction,
 * for the address the mail goes to; returns the link's path. Like a reset link, it proves that
 * mailbox only while it is still the account's address (src/services/not-me.ts).
 */
async function issueNotMeCode(mail: MailDraft, q: Executor): Promise<string> {
  if (mail.userId === null) throw new Error("A security mail must be for an account");
  const token = randomToken();
  await insertNotMeCode({ user_id: mail.userId, token_hash: hashToken(token), email: mail.to, expires_at: new Date(Date.now() + NOT_ME_DAYS * 86_400_000) }, q);
  return `/not-me/${token}`;
}
