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
import { isUniqueViolation, ValidationError } from "../lib/errors";

/**
 * Teams of an organization. The route map authorizes every change (managing teams: admins and
 * owners; a team's members: also its maintainers) before these run, so they only act.
 */

const NAME_TAKEN = "This organization already has a team with that name.";

/** Creates a team; a name the organization already uses is a 422 on `name`. */
export async function createTeam(org: OrganizationRow, name: string): Promise<TeamRow> {
  try {
    return await insertTeam({ organization_id: org.id, name });
  } catch (err) {
    if (isUniqueViolation(err, "teams_organization_name_unique")) throw new ValidationError({ name: NAME_TAKEN });
    throw err;
  }
}

/** Renames a team; a name the organization already uses is a 422 on `name`. */
export async function renameTeam(team: TeamRow, name: string): Promise<TeamRow> {
  try {
    await renameTeamRow(team.organization_id, team.id, name);
    return { ...team, name };
  } catch (err) {
    if (isUniqueViolation(err, "teams_organization_name_unique")) throw new ValidationError({ name: NAME_TAKEN });
    throw err;
  }
}

/** Deletes a team; its members stay in the organization. */
export async function deleteTeam(team: TeamRow): Promise<void> {
  await deleteTeamRow(team.organization_id, team.id);
}

/**
 * Adds an organization member to a team. Only members of the organization can be added: anyone
 * else gets the same message, whether or not the username exists, so the form does not reveal
 * accounts outside the organization.
 */
export async function addTeamMember(team: TeamRow, username: string): Promise<void> {
  const user = await findUserByUsername(username);
  const membership = user && (await findMembership(team.organization_id, user.id));
  if (!user || !membership) throw new ValidationError({ username: "No member of this organization has that username." });
  await insertTeamMembership({ organization_id: team.organization_id, team_id: team.id, user_id: user.id });
}

/** Removes someone from a team. */
export async function removeTeamMember(team: TeamRow, userId: number): Promise<void> {
  await deleteTeamMembership(team.id, userId);
}

/** Makes a team member a maintainer or not. */
export async function setMaintainer(team: TeamRow, userId: number, maintainer: boolean): Promise<void> {
  await db.transaction(async (trx) => {
    if (await findTeamMembership(team.id, userId, trx)) await setTeamMaintainer(team.id, userId, maintainer, trx);
  });
}
