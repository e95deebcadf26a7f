import fs from "node:fs";
import path from "node:path";
import ejs from "ejs";
import { cleanMultilineText, cleanName } from "../lib/display-text";

const EMAIL_VIEWS = path.resolve(__dirname, "../../views/emails");

/** Who a mail goes to; every caller of a mail states both. */
export interface MailAddress {
  /**
   * The account the mail is for, or null for mail to an address as such (an invitation). Required,
   * so every caller decides: "Export my data" lists an account's mail by it, never by address,
   * because an address can have belonged to someone else when earlier mail went to it.
   */
  userId: number | null;
  to: string;
}

/** A mail with its variables, ready to be rendered by the mailer (src/emails/mailer.ts). */
export interface MailDraft extends MailAddress {
  /** A security notice: the mailer adds its "This wasn't me" link (see defineSecurityMail). */
  securityNotice: boolean;
  /** Renders subject and bodies, with every link (its own and `extraLinks`, all paths) made absolute on `baseUrl`. */
  render: (baseUrl: string, extraLinks?: Record<string, string>) => RenderedMail;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

type Locals = Record<string, unknown>;
type Render = (locals: Locals) => string;

// Each template file is read and compiled once per process, when its email is declared (partials
// at their first use), and include() is resolved here without EJS's file-system lookups (as
// src/http/view-engine.ts does for pages). An edited email template therefore shows after a restart.
const compiled = new Map<string, Render>();

// `<%= %>` escapes for HTML in .html.ejs files only: a plain-text part is not HTML, and escaping
// there would show "O&#39;Brien" to the reader.
const asPlainText = (value: unknown) => (value === undefined || value === null ? "" : String(value));

function template(file: string): Render {
  const hit = compiled.get(file);
  if (hit) return hit;
  const fn = ejs.compile(fs.readFileSync(file, "utf8"), { filename: file, client: true });
  const escape = file.endsWith(".text.ejs") ? asPlainText : ejs.escapeXML;
  const render: Render = (locals) => fn(locals, escape, (name, data) => template(path.resolve(path.dirname(file), name))({ ...locals, ...data }));
  compiled.set(file, render);
  return render;
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
 * `<name>.html.ejs`), its subject, and its links as paths (`/password/reset/<token>`). Returns a
 * function that makes a draft of it for given variables and recipient. Links are given as paths so
 * that the mailer alone makes them absolute, from the configured BASE_URL and never from a
 * request's Host header; templates get each link under its name, and `baseUrl` for the footer.
 *
 * Mail carries names other people chose (organization, team, inviter, provider account), so the
 * display-name character rule is applied here again, whatever the forms already refused: every
 * variable becomes one line without control or bidi characters, the subject too (a CR or LF there
 * would start a header line of the sender's choosing; an override would make it read otherwise),
 * and the rendered bodies lose any such character but their own line breaks. Names that were stored
 * before the rule existed, or that reach a mail by a path no form guards, are covered all the same.
 */
export function defineMail<Vars extends object>(name: string, subject: (vars: Vars) => string, links: (vars: Vars) => Record<string, string> = () => ({}), securityNotice = false) {
  const text = template(path.join(EMAIL_VIEWS, `${name}.text.ejs`));
  const html = template(path.join(EMAIL_VIEWS, `${name}.html.ejs`));
  return (raw: Vars & MailAddress): MailDraft => ({
    userId: raw.userId,
    to: raw.to,
    securityNotice,
    render(baseUrl, extraLinks = {}) {
      const vars = cleanVars(raw);
      const absolute = Object.fromEntries(Object.entries({ ...links(vars), ...extraLinks }).map(([key, linkPath]) => [key, `${baseUrl}${linkPath}`]));
      const locals = { ...vars, ...absolute, baseUrl, subject: cleanName(subject(vars)) };
      return { subject: locals.subject, text: cleanMultilineText(text(locals)).trim() + "\n", html: cleanMultilineText(html(locals)) };
    },
  });
}

/**
 * Declares a security notice (a sign-in, a password, address, identity or token change): like
 * defineMail, and the mailer gives each one a "This wasn't me" link with a one-time code of its own,
 * which templates show as `notMeUrl` (views/emails/partials/not-me.*.ejs). The mail must be for an
 * account (userId set).
 */
export function defineSecurityMail<Vars extends object>(name: string, subject: (vars: Vars) => string, links: (vars: Vars) => Record<string, string> = () => ({})) {
  return defineMail<Vars>(name, subject, links, true);
}
