import type { Request, Response } from "express";
import { countAdminAuditEvents, listAdminAuditEvents } from "../../../db/admin-audit-events";
import { formatUtc, timeAgo } from "../../../lib/time-words";
import { describeUserAgent } from "../../../lib/user-agent";
import { ADMIN_SECTIONS, pageOf } from "./helpers";

/** GET /admin/audit — the admin audit log, newest first, paginated. Read-only: it has no edit or delete route. */
export async function showAudit(req: Request, res: Response) {
  const total = await countAdminAuditEvents();
  const page = pageOf(req, total, 50);
  const events = await listAdminAuditEvents(page.limit, page.offset);
  res.render("admin/audit", {
    title: "Audit log", section: "audit", adminSections: ADMIN_SECTIONS, total, ...page, formatUtc, timeAgo,
    events: events.map((e) => ({ ...e, device: e.user_agent ? describeUserAgent(e.user_agent) : undefined })),
  });
}
