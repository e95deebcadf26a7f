import type { Request, Response } from "express";
import { z } from "zod";
import { listMembers } from "../../../db/memberships";
import { findTeamInOrganization, findTeamMembership, listTeamMembers, listTeams, type TeamRow } from "../../../db/teams";
import { flash } from "../../../http/flash";
import { keptValues, parseBody } from "../../../http/validate";
import { notFound } from "../../../lib/errors";
import { canManageTeamMembers, canManageTeams } from "../../../policies/organizations";
import { addTeamMember, createTeam, deleteTeam, removeTeamMember, renameTeam, setMaintainer, TeamForm, TeamMemberForm } from "../../../services/teams";
import { idParam, orgPath } from "./helpers";

/** The team named by :team inside req.org; a team id of another organization is a 404. */
async function loadTeam(req: Request): Promise<TeamRow> {
  const team = await findTeamInOrganization(req.org!.id, idParam(req.params.team));
  if (!team) throw notFound("Team");
  return team;
}

async function renderTeams(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
  const teams = await listTeams(req.org!.id);
  res.status(status).render("orgs/teams", { title: `Teams · ${req.org!.name}`, tab: "teams", teams, ...extra });
}

async function renderTeam(req: Request, res: Response, team: TeamRow, status = 200, extra: Record<string, unknown> = {}) {
  const org = req.org!;
  const [members, orgMembers, own] = await Promise.all([listTeamMembers(team.id), listMembers(org.id, 500, 0), findTeamMembership(team.id, req.user!.id)]);
  const inTeam = new Set(members.map((m) => m.user_id));
  res.status(status).render("orgs/team", {
    title: `${team.name} · ${org.name}`,
    tab: "teams",
    team,
    members,
    candidates: orgMembers.filter((m) => !inTeam.has(m.user_id)),
    teamCan: { manage: canManageTeams(req.membership!), manageMembers: canManageTeamMembers(req.membership!, own ?? null) },
    ...extra,
  });
}

/** GET /orgs/:org/teams — the organization's teams. */
export async function showTeams(req: Request, res: Response) {
  await renderTeams(req, res);
}

/** POST /orgs/:org/teams — creates a team (admins and owners). */
export async function submitCreateTeam(req: Request, res: Response) {
  const parsed = parseBody(TeamForm, req.body);
  if (!parsed.ok) return renderTeams(req, res, 422, { values: keptValues(req.body), errors: parsed.errors });
  const result = await createTeam(req.org!, req.membership!, parsed.data.name);
  if (!result.ok) return renderTeams(req, res, 422, { values: keptValues(req.body), errors: result.errors });
  flash(req, "success", `Created the team ${result.team.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${result.team.id}`));
}

/** GET /orgs/:org/teams/:team — a team's members, and the forms to manage it. */
export async function showTeam(req: Request, res: Response) {
  await renderTeam(req, res, await loadTeam(req));
}

/** POST /orgs/:org/teams/:team/rename — renames a team (admins and owners). */
export async function submitRenameTeam(req: Request, res: Response) {
  const team = await loadTeam(req);
  const parsed = parseBody(TeamForm, req.body);
  if (!parsed.ok) return renderTeam(req, res, team, 422, { values: keptValues(req.body), errors: parsed.errors });
  const result = await renameTeam(team, req.membership!, parsed.data.name);
  if (!result.ok) return renderTeam(req, res, team, 422, { values: keptValues(req.body), errors: result.errors });
  flash(req, "success", `Renamed the team to ${result.team.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${team.id}`));
}

/** GET /orgs/:org/teams/:team/delete — asks before deleting a team. */
export async function showDeleteTeam(req: Request, res: Response) {
  const team = await loadTeam(req);
  res.render("orgs/confirm", {
    title: `Delete the team ${team.name}?`,
    tab: "teams",
    message: `The team and its list of members are deleted. Its members stay in ${req.org!.name}.`,
    action: orgPath(req.org!.slug, `/teams/${team.id}/delete`),
    button: "Delete team",
    back: orgPath(req.org!.slug, `/teams/${team.id}`),
  });
}

/** POST /orgs/:org/teams/:team/delete — deletes a team (admins and owners). */
export async function submitDeleteTeam(req: Request, res: Response) {
  const team = await loadTeam(req);
  await deleteTeam(team, req.membership!);
  flash(req, "success", `Deleted the team ${team.name}.`);
  res.redirect(orgPath(req.org!.slug, "/teams"));
}

/** POST /orgs/:org/teams/:team/members — adds an organization member to the team. */
export async function submitAddTeamMember(req: Request, res: Response) {
  const team = await loadTeam(req);
  const parsed = parseBody(TeamMemberForm, req.body);
  if (!parsed.ok) return renderTeam(req, res, team, 422, { values: keptValues(req.body), errors: parsed.errors });
  const result = await addTeamMember(team, req.membership!, parsed.data.username);
  if (!result.ok) return renderTeam(req, res, team, 422, { values: keptValues(req.body), errors: result.errors });
  flash(req, "success", `Added ${parsed.data.username} to ${team.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${team.id}`));
}

/** POST /orgs/:org/teams/:team/members/:user/remove — removes someone from the team. */
export async function submitRemoveTeamMember(req: Request, res: Response) {
  const team = await loadTeam(req);
  await removeTeamMember(team, req.membership!, idParam(req.params.user));
  flash(req, "success", `Removed the member from ${team.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${team.id}`));
}

const MaintainerForm = z.object({ maintainer: z.enum(["true", "false"]) });

/** POST /orgs/:org/teams/:team/members/:user/maintainer — makes a team member a maintainer or not. */
export async function submitMaintainer(req: Request, res: Response) {
  const team = await loadTeam(req);
  const parsed = parseBody(MaintainerForm, req.body);
  if (!parsed.ok) throw notFound();
  await setMaintainer(team, req.membership!, idParam(req.params.user), parsed.data.maintainer === "true");
  flash(req, "success", parsed.data.maintainer === "true" ? "The member now maintains this team." : "The member no longer maintains this team.");
  res.redirect(orgPath(req.org!.slug, `/teams/${team.id}`));
}
