import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, with its angle brackets. */
  messageId: string;
}

/** A recipient the mailbox keeps waiting at RCPT TO until the test releases it. */
export interface Hold {
  /** Resolves once the sender has reached the held recipient. */
  reached: Promise<void>;
  release: () => void;
}

/** A real SMTP server inside the test process; what the app sends over SMTP is read back here. */
export class Mailbox {
  readonly messages: ReceivedMail[] = [];
  private waiters: (() => void)[] = [];
  private refusals = new Map<string, string>();
  private holds = new Map<string, { reached: () => void; released: Promise<void> }>();
  private server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const to = address.address.toLowerCase();
        const refusal = this.refusals.get(to) ?? this.refusals.get("*");
        if (refusal) {
          callback(Object.assign(new Error(refusal), { responseCode: 451 }));
          return;
        }
        const hold = this.holds.get(to);
        if (!hold) {
          callback();
          return;
        }
        this.holds.delete(to);
        hold.reached();
        void hold.released.then(() => callback());
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase()).join(",");
            this.messages.push({
              to,
              from: parsed.from?.text ?? "",
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              messageId: parsed.messageId ?? "",
            });
            this.waiters.splice(0).forEach((w) => w());
            callback();
          })
          .catch(callback);
      },
    });
  }

  /** Starts listening on a free loopback port. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  /** The SMTP_URL pointing at this mailbox. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Waits for a mail to `to` matching `predicate` that arrived after `after` mails (default any). */
  async waitFor(to: string, predicate: (m: ReceivedMail) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...this.messages].reverse().find((m) => m.to.split(",").includes(to.toLowerCase()) && predicate(m));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No mail to ${to} arrived within ${timeoutMs} ms (have: ${this.messages.map((m) => `${m.to}: ${m.subject}`).join("; ") || "none"})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Mails received for an address so far. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.split(",").includes(address.toLowerCase()));
  }

  /** Forgets every received mail, refusal and hold. */
  clear(): void {
    this.messages.length = 0;
    this.refusals.clear();
    this.holds.clear();
  }

  /** Answers RCPT TO for `address` ("*" for every one) with a temporary refusal (451) until `accept`. */
  refuse(address: string, reply = "Requested action aborted: try again later"): void {
    this.refusals.set(address.toLowerCase(), reply);
  }

  /** Takes mail for `address` ("*": every one no other refusal names) again. */
  accept(address: string): void {
    this.refusals.delete(address.toLowerCase());
  }

  /** Keeps the next sender to `address` waiting at RCPT TO until the returned hold is released. */
  hold(address: string): Hold {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(address.toLowerCase(), { reached, released });
    return { reached: reachedP, release };
  }

  /** Stops the server. */
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The first link in a mail's text whose path starts with `pathPrefix`. */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
  const links = mail.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
  const link = links.find((l) => new URL(l).pathname.startsWith(pathPrefix));
  if (!link) throw new Error(`No ${pathPrefix} link in mail "${mail.subject}":\n${mail.text}`);
  return link;
}
