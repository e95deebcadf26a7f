import { Router } from "express";
import { findOutboundMail, listOutboundMails } from "../../db/outbound-mails";
import { pageOf } from "../../http/pager";
import { idParam } from "../../http/params";
import { notFound } from "../../lib/errors";

const PAGE = 50;

/**
 * The development outbox at /dev/mail: mounted only without SMTP_URL and never in production (see
 * app.ts), so a newcomer can sign up without a mail server.
 */
export function devMailRoutes(): Router {
  const r = Router();
  /** GET /dev/mail — the newest mails. */
  r.get("/dev/mail", async (req, res) => {
    const page = pageOf(req, PAGE);
    const mails = await listOutboundMails(PAGE + 1, page.offset);
    res.render("dev/mail-list", { title: "Development outbox", mails: mails.slice(0, PAGE), page: page.page, hasNext: mails.length > PAGE });
  });
  /** GET /dev/mail/:id — one mail, text and HTML. */
  r.get("/dev/mail/:id", async (req, res) => {
    const mail = await findOutboundMail(idParam(req.params.id, "Mail"));
    if (!mail) throw notFound("Mail");
    res.render("dev/mail-show", { title: mail.subject, mail });
  });
  /** GET /dev/mail/:id/html — the HTML part on its own, for the preview frame. */
  r.get("/dev/mail/:id/html", async (req, res) => {
    const mail = await findOutboundMail(idParam(req.params.id, "Mail"));
    if (!mail?.html) throw notFound("Mail");
    // The mail's own HTML, sandboxed: no scripts, and only our dev page may frame it.
    res.setHeader("Content-Security-Policy", "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox");
    res.removeHeader("X-Frame-Options");
    res.type("html").send(mail.html);
  });
  return r;
}
