import type { Request, Response } from "express";
import { flash } from "../../../http/flash";
import { adminContext } from "../../../http/require-site-admin";
import { idParam } from "../../../http/params";
import { listFailedMails, retryMail } from "../../../services/failed-mails";
import { pageWithin } from "../../../http/pager";
import { ADMIN_PER_PAGE, ADMIN_SECTIONS } from "./helpers";
import { countFailedOutboundMails } from "../../../db/outbound-mails";

/** GET /admin/mail — the mail the worker gave up on, with the SMTP server's last answer, and a retry for each. */
export async function showFailedMail(req: Request, res: Response) {
  const page = pageWithin(req, await countFailedOutboundMails(), ADMIN_PER_PAGE);
  const { mails } = await listFailedMails({ limit: page.perPage, offset: page.offset });
  res.render("admin/mail", { title: "Failed mail", section: "mail", adminSections: ADMIN_SECTIONS, mails, ...page });
}

/** POST /admin/mail/:id/retry — queues a failed mail again (a 404 when it is no longer failed, so a double click sends once). */
export async function submitRetryMail(req: Request, res: Response) {
  const mail = await retryMail(idParam(req.params.id, "Failed mail"), adminContext(req));
  flash(req, "success", `The mail "${mail.subject}" to ${mail.to} is queued again.`);
  res.redirect("/admin/mail");
}
