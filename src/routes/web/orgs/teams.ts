import type { Request, Response } from "express";
import { z } from "zod";
import { listAvatarFieldsForUsers } from "../../../db/avatars";
import { listMembers } from "../../../db/memberships";
import { listTeamMembers, listTeams } from "../../../db/teams";
import { findUserById } from "../../../db/users";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import type { Valid } from "../../../http/validate";
import { nameSchema } from "../../../lib/display-text";
import { canManageTeamMembers, canManageTeams } from "../../../policies/organizations";
import { addTeamMember, createTeam, deleteTeam, removeTeamMember, renameTeam, setMaintainer } from "../../../services/teams";
import { memberAvatar, orgPath } from "./helpers";

/** POST /orgs/:org/teams and .../rename: a name, unique in the organization, under the display-name character rule. */
export const TeamForm = z.object({ name: nameSchema(64, "Enter a team name.") });

/** POST /orgs/:org/teams/:team/members: the username of an organization member. */
export const TeamMemberForm = z.object({ username: z.string().trim().min(1, "Enter the username of a member of this organization.").max(39, "Usernames have at most 39 characters.") });

/** POST /orgs/:org/teams/:team/members/:user/maintainer: on or off. */
export const MaintainerForm = z.object({ maintainer: z.enum(["true", "false"], "Choose whether the member maintains the team.") });

/** The page of req.team, where a refused maintainer change is flashed. */
export const teamPage = (req: Request) => orgPath(req.org!.slug, `/teams/${req.team!.id}`);

/** GET /orgs/:org/teams — the organization's teams (and the create form again on a 422). */
export async function showTeams(req: Request, res: Response) {
  const teams = await listTeams(req.org!.id);
  res.render("orgs/teams", { title: `Teams · ${req.org!.name}`, tab: "teams", teams });
}

/** POST /orgs/:org/teams — creates a team (admins and owners). */
export async function submitCreateTeam(req: Valid<typeof TeamForm>, res: Response) {
  const team = await createTeam(req.org!, req.body.name);
  flash(req, "success", `Created the team ${team.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${team.id}`));
}

/** GET /orgs/:org/teams/:team — a team's members, and the forms to manage it (again on a 422). */
export async function showTeam(req: Request, res: Response) {
  const org = req.org!;
  const team = req.team!;
  const [members, orgMembers] = await Promise.all([listTeamMembers(team.id), listMembers(org.id, 500, 0)]);
  const inTeam = new Set(members.map((m) => m.user_id));
  const avatars = await listAvatarFieldsForUsers(members.map((m) => m.user_id));
  res.render("orgs/team", {
    title: `${team.name} · ${org.name}`,
    tab: "teams",
    team,
    members: members.map((m) => ({ ...m, avatar: memberAvatar(avatars, m, req.actor!.user_id) })),
    candidates: orgMembers.filter((m) => !inTeam.has(m.user_id)),
    teamCan: { manage: canManageTeams(req.actor!), manageMembers: canManageTeamMembers(req.actor!, req.teamMembership ?? null) },
  });
}

/** POST /orgs/:org/teams/:team/rename — renames a team (admins and owners). */
export async function submitRenameTeam(req: Valid<typeof TeamForm>, res: Response) {
  const team = await renameTeam(req.team!, req.body.name);
  flash(req, "success", `Renamed the team to ${team.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${team.id}`));
}

/** GET /orgs/:org/teams/:team/delete — asks before deleting a team. */
export function showDeleteTeam(req: Request, res: Response) {
  const team = req.team!;
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
  await deleteTeam(req.team!);
  flash(req, "success", `Deleted the team ${req.team!.name}.`);
  res.redirect(orgPath(req.org!.slug, "/teams"));
}

/** POST /orgs/:org/teams/:team/members — adds an organization member to the team (admins, owners, maintainers). */
export async function submitAddTeamMember(req: Valid<typeof TeamMemberForm>, res: Response) {
  await addTeamMember(req.team!, req.body.username);
  flash(req, "success", `Added ${req.body.username} to ${req.team!.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${req.team!.id}`));
}

/** POST /orgs/:org/teams/:team/members/:user/remove — removes someone from the team (admins, owners, maintainers). */
export async function submitRemoveTeamMember(req: Request, res: Response) {
  const userId = idParam(req.params.user, "Member");
  await removeTeamMember(req.team!, userId);
  const user = await findUserById(userId);
  flash(req, "success", `Removed ${user?.username ?? "the member"} from ${req.team!.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${req.team!.id}`));
}

/** POST /orgs/:org/teams/:team/members/:user/maintainer — makes a team member a maintainer or not (admins and owners). */
export async function submitMaintainer(req: Valid<typeof MaintainerForm>, res: Response) {
  const maintainer = req.body.maintainer === "true";
  const userId = idParam(req.params.user, "Member");
  await setMaintainer(req.team!, userId, maintainer);
  const name = (await findUserById(userId))?.username ?? "The member";
  flash(req, "success", maintainer ? `${name} now maintains ${req.team!.name}.` : `${name} no longer maintains ${req.team!.name}.`);
  res.redirect(orgPath(req.org!.slug, `/teams/${req.team!.id}`));
}
