import type { Request, Response } from "express";
import { countMembers, listMembers } from "../../../db/memberships";
import { listTeamNamesForMember, listTeams } from "../../../db/teams";
import { countPendingInvitations } from "../../../db/invitations";

/** GET /orgs/:org — the organization's overview: the owners, counts, the viewer's role and teams. */
export async function showOrganization(req: Request, res: Response) {
  const org = req.org!;
  const [memberCount, owners, teams, myTeams, pending] = await Promise.all([
    countMembers(org.id),
    listMembers(org.id, 100, 0).then((rows) => rows.filter((m) => m.role === "owner")),
    listTeams(org.id),
    listTeamNamesForMember(org.id, req.user!.id),
    res.locals.can.manageInvitations ? countPendingInvitations(org.id) : Promise.resolve(0),
  ]);
  res.render("orgs/overview", { title: org.name, tab: "overview", memberCount, owners, teamCount: teams.length, myTeams, pending });
}
