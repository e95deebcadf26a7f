import { z } from "zod";
import { db } from "../db/knex";
import { findMembership } from "../db/memberships";
import {
  deleteTeam as deleteTeamRow,
  deleteTeamMembership,
  findTeamMembership,
  insertTeam,
  insertTeamMembership,
  renameTeam as renameTeamRow,
  setTeamMaintainer,
  type TeamRow,
} from "../db/teams";
import { findUserByUsername } from "../db/users";
import type { OrganizationRow } from "../db/organizations";
import { nameSchema } from "../lib/display-text";
import { isUniqueViolation, type FieldErrors } from "../lib/errors";
import { canManageTeamMembers, canManageTeams, type Actor } from "../policies/organizations";
import { forbidden } from "./org-errors";

/** The team create and rename form: a name, unique in the organization, under the display-name character rule. */
export const TeamForm = z.object({ name: nameSchema(64, "Enter a team name.") });

/** The add-member form: the username of an organization member. */
export const TeamMemberForm = z.object({ username: z.string().trim().min(1, "Enter the username of a member of this organization.").max(39, "Usernames have at most 39 characters.") });

const NAME_TAKEN = "This organization already has a team with that name.";

type TeamResult = { ok: true; team: TeamRow } | { ok: false; errors: FieldErrors };

/** Creates a team (admins and owners). */
export async function createTeam(org: OrganizationRow, actor: Actor | null, name: string): Promise<TeamResult> {
  if (!canManageTeams(actor)) throw forbidden();
  try {
    return { ok: true, team: await insertTeam({ organization_id: org.id, name }) };
  } catch (err) {
    if (isUniqueViolation(err, "teams_organization_name_unique")) return { ok: false, errors: { name: NAME_TAKEN } };
    throw err;
  }
}

/** Renames a team (admins and owners). */
export async function renameTeam(team: TeamRow, actor: Actor | null, name: string): Promise<TeamResult> {
  if (!canManageTeams(actor)) throw forbidden();
  try {
    await renameTeamRow(team.organization_id, team.id, name);
    return { ok: true, team: { ...team, name } };
  } catch (err) {
    if (isUniqueViolation(err, "teams_organization_name_unique")) return { ok: false, errors: { name: NAME_TAKEN } };
    throw err;
  }
}

/** Deletes a team (admins and owners); its members stay in the organization. */
export async function deleteTeam(team: TeamRow, actor: Actor | null): Promise<void> {
  if (!canManageTeams(actor)) throw forbidden();
  await deleteTeamRow(team.organization_id, team.id);
}

/**
 * Adds an organization member to a team (admins, owners, the team's maintainers). Only members of
 * the organization can be added: anyone else gets the same message, whether or not the username
 * exists, so the form does not reveal accounts outside the organization.
 */
export async function addTeamMember(team: TeamRow, actor: Actor | null, username: string): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
  const actorTeam = actor ? await findTeamMembership(team.id, actor.user_id) : undefined;
  if (!canManageTeamMembers(actor, actorTeam ?? null)) throw forbidden();
  const user = await findUserByUsername(username);
  const membership = user && (await findMembership(team.organization_id, user.id));
  if (!user || !membership) return { ok: false, errors: { username: "No member of this organization has that username." } };
  await insertTeamMembership({ organization_id: team.organization_id, team_id: team.id, user_id: user.id });
  return { ok: true };
}

/** Removes someone from a team (admins, owners, the team's maintainers). */
export async function removeTeamMember(team: TeamRow, actor: Actor | null, userId: number): Promise<void> {
  const actorTeam = actor ? await findTeamMembership(team.id, actor.user_id) : undefined;
  if (!canManageTeamMembers(actor, actorTeam ?? null)) throw forbidden();
  await deleteTeamMembership(team.id, userId);
}

/** Makes a team member a maintainer or not (admins and owners). */
export async function setMaintainer(team: TeamRow, actor: Actor | null, userId: number, maintainer: boolean): Promise<void> {
  if (!canManageTeams(actor)) throw forbidden();
  await db.transaction(async (trx) => {
    if (await findTeamMembership(team.id, userId, trx)) await setTeamMaintainer(team.id, userId, maintainer, trx);
  });
}
