import path from "node:path";
import ejs from "ejs";
import { insertOutboundMail } from "../db/outbound-mails";
import type { Executor } from "../db/knex";
import { cleanMultilineText, cleanName } from "../lib/display-text";

const EMAIL_VIEWS = path.resolve(__dirname, "../../views/emails");

export interface RenderedMail {
  /** The account this mail is for (see MailCommon.userId). */
  userId: number | null;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What every email template receives besides its own variables. */
export interface MailCommon {
  /**
   * The account the mail is for, or null for mail to an address as such (an invitation). Required,
   * so every caller decides: "Export my data" lists an account's mail by it, never by address,
   * because an address can have belonged to someone else when earlier mail went to it.
   */
  userId: number | null;
  to: string;
  /** Public base URL (config BASE_URL); every link in every mail is built from it. */
  baseUrl: string;
}

/** Every string among a mail's variables made one clean line (arrays and plain objects too; dates and numbers as they are). */
function cleanVars<T>(value: T): T {
  if (typeof value === "string") return cleanName(value) as T;
  if (Array.isArray(value)) return value.map(cleanVars) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanVars(v)])) as T;
  }
  return value;
}

/**
 * Declares an email: its template name under views/emails/ (both `<name>.text.ejs` and
 * `<name>.html.ejs`) and its subject. Returns a function that renders it for given variables.
 *
 * Mail carries names other people chose (organization, team, inviter, provider account), so the
 * display-name character rule is applied here again, whatever the forms already refused: every
 * variable becomes one line without control or bidi characters, the subject too (a CR or LF there
 * would start a header line of the sender's choosing; an override would make it read otherwise),
 * and the rendered bodies lose any such character but their own line breaks. Names that were stored
 * before the rule existed, or that reach a mail by a path no form guards, are covered all the same.
 */
export function defineMail<Vars extends object>(name: string, subject: (vars: Vars) => string) {
  return async (raw: Vars & MailCommon): Promise<RenderedMail> => {
    const vars = cleanVars(raw);
    const locals = { ...vars, subject: cleanName(subject(vars)) };
    const [text, html] = await Promise.all([
      ejs.renderFile(path.join(EMAIL_VIEWS, `${name}.text.ejs`), locals, { root: EMAIL_VIEWS }),
      ejs.renderFile(path.join(EMAIL_VIEWS, `${name}.html.ejs`), locals, { root: EMAIL_VIEWS }),
    ]);
    return { userId: raw.userId, to: vars.to, subject: locals.subject, text: cleanMultilineText(text).trim() + "\n", html: cleanMultilineText(html) };
  };
}

/** Queues a rendered mail in the caller's transaction; the mail worker sends it after commit. */
export function enqueueMail(mail: RenderedMail, q?: Executor): Promise<void> {
  return insertOutboundMail({ user_id: mail.userId, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html }, q);
}
