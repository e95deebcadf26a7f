import path from "node:path";
import ejs from "ejs";
import { insertOutboundMail } from "../db/outbound-mails";
import type { Executor } from "../db/knex";

const EMAIL_VIEWS = path.resolve(__dirname, "../../views/emails");

export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What every email template receives besides its own variables. */
export interface MailCommon {
  to: string;
  /** Public base URL (config BASE_URL); every link in every mail is built from it. */
  baseUrl: string;
}

/**
 * Declares an email: its template name under views/emails/ (both `<name>.text.ejs` and
 * `<name>.html.ejs`) and its subject. Returns a function that renders it for given variables.
 */
export function defineMail<Vars extends object>(name: string, subject: (vars: Vars) => string) {
  return async (vars: Vars & MailCommon): Promise<RenderedMail> => {
    const locals = { ...vars, subject: subject(vars) };
    const [text, html] = await Promise.all([
      ejs.renderFile(path.join(EMAIL_VIEWS, `${name}.text.ejs`), locals, { root: EMAIL_VIEWS }),
      ejs.renderFile(path.join(EMAIL_VIEWS, `${name}.html.ejs`), locals, { root: EMAIL_VIEWS }),
    ]);
    return { to: vars.to, subject: locals.subject, text: text.trim() + "\n", html };
  };
}

/** Queues a rendered mail in the caller's transaction; the mail worker sends it after commit. */
export function enqueueMail(mail: RenderedMail, q?: Executor): Promise<void> {
  return insertOutboundMail(mail, q);
}
