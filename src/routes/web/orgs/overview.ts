import type { Request, Response } from "express";
import { summarizeOrganization } from "../../../db/organizations";

/** GET /orgs/:org — the organization's overview: the owners, counts, the viewer's role and teams. */
export async function showOrganization(req: Request, res: Response) {
  const org = req.org!;
  const s = await summarizeOrganization(org.id, req.user!.id);
  res.render("orgs/overview", {
    title: org.name,
    tab: "overview",
    memberCount: s.member_count,
    owners: s.owners,
    teamCount: s.team_count,
    myTeams: s.my_teams,
    // Pending invitations are only shown to those who manage them.
    pending: res.locals.can.manageInvitations ? s.pending_count : 0,
  });
}
