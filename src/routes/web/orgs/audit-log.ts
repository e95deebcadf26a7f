import type { Request, Response } from "express";
import { listOrganizationEvents } from "../../../db/organization-events";
import { describeOrganizationEvent } from "../../../services/security-log-labels";
import { pageOf } from "../../../http/pager";

const PER_PAGE = 25;

/**
 * GET /orgs/:org/audit — the organization's log, newest first: members joined and removed, roles,
 * invitations, tokens, settings. Owners and admins only (the route map's authorize step); the rows
 * are read by the organization loaded for this URL, never by an id from the request.
 */
export async function showOrgAuditLog(req: Request, res: Response) {
  const org = req.org!;
  const { page, offset } = pageOf(req, PER_PAGE);
  const rows = await listOrganizationEvents(org.id, PER_PAGE + 1, offset);
  res.render("orgs/audit-log", {
    title: `Audit log · ${org.name}`,
    tab: "audit",
    events: rows.slice(0, PER_PAGE).map((e) => ({ ...describeOrganizationEvent(e), at: e.created_at, actor: e.actor_name })),
    page,
    hasNext: rows.length > PER_PAGE,
  });
}
