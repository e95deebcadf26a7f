import type { Request, Response } from "express";
import { countSecurityEventsForUser, listSecurityEventsForUser } from "../../../db/security-events";
import { browserLabel, describeSecurityEvent } from "../../../services/security-log-labels";
import { SECURITY_LOG_DAYS } from "../../../services/security-log-retention";
import { pageOf } from "../../../http/pager";

const PER_PAGE = 25;

/**
 * GET /settings/security/log — the user's own security log, newest first, 25 a page. Only their
 * rows: the query is scoped by the signed-in user's id, so there is no id in the URL to change.
 */
export async function showSecurityLog(req: Request, res: Response) {
  const user = req.user!;
  const total = await countSecurityEventsForUser(user.id);
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const page = Math.min(pageOf(req, PER_PAGE).page, pages);
  const rows = await listSecurityEventsForUser(user.id, PER_PAGE, (page - 1) * PER_PAGE);
  res.render("settings/security-log/index", {
    title: "Security log",
    section: "security-log",
    events: rows.map((e) => ({ ...describeSecurityEvent(e), at: e.created_at, browser: browserLabel(e.user_agent), ip: e.ip, failed: /failed|refused|clone/.test(e.action) })),
    page,
    pages,
    keptDays: SECURITY_LOG_DAYS,
  });
}
