import type { Request, Response } from "express";
import { countSecurityEventsForUser, listSecurityEventsForUser } from "../../../db/security-events";
import { browserLabel, describeSecurityEvent } from "../../../services/security-log-labels";
import { SECURITY_LOG_DAYS } from "../../../services/security-log-retention";
import { pageWithin } from "../../../http/pager";

const PER_PAGE = 25;

/**
 * GET /settings/security/log — the user's own security log, newest first, 25 a page. Only their
 * rows: the query is scoped by the signed-in user's id, so there is no id in the URL to change.
 */
export async function showSecurityLog(req: Request, res: Response) {
  const user = req.user!;
  const { page, pages, offset } = pageWithin(req, await countSecurityEventsForUser(user.id), PER_PAGE);
  const rows = await listSecurityEventsForUser(user.id, PER_PAGE, offset);
  res.render("settings/security-log/index", {
    title: "Security log",
    section: "security-log",
    events: rows.map((e) => ({ ...describeSecurityEvent(e), at: e.created_at, browser: browserLabel(e.user_agent), ip: e.ip, failed: /failed|refused|clone/.test(e.action) })),
    page,
    pages,
    keptDays: SECURITY_LOG_DAYS,
  });
}
