import { countFailedOutboundMails, listFailedOutboundMails, requeueFailedOutboundMail, type FailedMailRow } from "../db/outbound-mails";
import { notFound } from "../lib/errors";

/**
 * One page of the mail the worker gave up on (the SMTP server refused or was unreachable for longer
 * than MAIL_GIVE_UP_HOURS), most recent failure first, with the server's last answer. Bodies are
 * never listed: they hold live links (password resets, confirmations) that only the recipient may see.
 */
export async function listFailedMails(page: { limit: number; offset: number }): Promise<{ mails: FailedMailRow[]; total: number }> {
  const [mails, total] = await Promise.all([listFailedOutboundMails(page.limit, page.offset), countFailedOutboundMails()]);
  return { mails, total };
}

/**
 * Puts a failed mail back in the queue: it is sent at once, then retried for another
 * MAIL_GIVE_UP_HOURS if the server still refuses it, with its original Message-ID. Throws a 404 for
 * an id that is not a failed mail (unknown, still being tried, or already sent), so a retry clicked
 * twice cannot send a mail twice.
 */
export async function retryMail(id: number): Promise<FailedMailRow> {
  const mail = await requeueFailedOutboundMail(id);
  if (!mail) throw notFound("Failed mail");
  return mail;
}
