import type { Request, Response } from "express";
import { countAdminAuditEvents, listAdminAuditEvents } from "../../../db/admin-audit-events";
import { describeUserAgent } from "../../../lib/user-agent";
import { pageWithin } from "../../../http/pager";
import { ADMIN_SECTIONS } from "./helpers";

/** Entries per page of the audit log. */
const PER_PAGE = 50;

/** An entry's details as short "what: value" lines ("signup_mode: open → closed" for a settings change). */
function detailLines(details: Record<string, unknown>): string[] {
  const text = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(", ") : "none") : v === "" ? "—" : String(v));
  return Object.entries(details).map(([key, value]) => {
    if (value && typeof value === "object" && !Array.isArray(value) && "from" in value && "to" in value) {
      return `${key}: ${text((value as { from: unknown }).from)} → ${text((value as { to: unknown }).to)}`;
    }
    return `${key}: ${text(value)}`;
  });
}

/** GET /admin/audit — the admin audit log, newest first, paginated. Read-only: it has no edit or delete route. */
export async function showAudit(req: Request, res: Response) {
  const page = pageWithin(req, await countAdminAuditEvents(), PER_PAGE);
  const events = await listAdminAuditEvents(page.perPage, page.offset);
  res.render("admin/audit", {
    title: "Audit log", section: "audit", adminSections: ADMIN_SECTIONS, ...page,
    events: events.map((e) => ({ ...e, lines: detailLines(e.details), device: e.user_agent ? describeUserAgent(e.user_agent) : undefined })),
  });
}
