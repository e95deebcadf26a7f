import { db, type Executor } from "./knex";

export interface TeamRow {
  id: number;
  organization_id: number;
  name: string;
  created_at: Date;
  updated_at: Date;
}

/** A team with its member count, for lists. */
export interface TeamListRow extends TeamRow {
  member_count: number;
}

export interface TeamMembershipRow {
  organization_id: number;
  team_id: number;
  user_id: number;
  maintainer: boolean;
  created_at: Date;
}

/** A team member with their account fields. */
export interface TeamMemberListRow extends TeamMembershipRow {
  username: string;
  display_name: string;
}

/** The organization's teams with member counts, by name. */
export function listTeams(organizationId: number, q: Executor = db): Promise<TeamListRow[]> {
  return q<TeamListRow>("teams as t")
    .where("t.organization_id", organizationId)
    .select("t.*", q.raw("(SELECT count(*)::int FROM team_memberships tm WHERE tm.team_id = t.id) AS member_count"))
    .orderByRaw("lower(t.name)");
}

/** The team with this id inside this organization, or undefined (a team of another org is unknown). */
export function findTeamInOrganization(organizationId: number, teamId: number, q: Executor = db): Promise<TeamRow | undefined> {
  return q<TeamRow>("teams").where({ organization_id: organizationId, id: teamId }).first();
}

/** The ids among `teamIds` that are teams of this organization. */
export async function filterTeamIdsInOrganization(organizationId: number, teamIds: number[], q: Executor = db): Promise<number[]> {
  if (teamIds.length === 0) return [];
  const rows = await q("teams").where({ organization_id: organizationId }).whereIn("id", teamIds).select("id");
  return rows.map((r: { id: number }) => r.id);
}

/** Inserts a team and returns it. */
export async function insertTeam(fields: Pick<TeamRow, "organization_id" | "name">, q: Executor = db): Promise<TeamRow> {
  const [row] = await q<TeamRow>("teams").insert(fields).returning("*");
  return row!;
}

/** Renames a team of this organization. */
export async function renameTeam(organizationId: number, teamId: number, name: string, q: Executor = db): Promise<void> {
  await q("teams").where({ organization_id: organizationId, id: teamId }).update({ name, updated_at: q.fn.now() });
}

/** Deletes a team of this organization. */
export async function deleteTeam(organizationId: number, teamId: number, q: Executor = db): Promise<void> {
  await q("teams").where({ organization_id: organizationId, id: teamId }).delete();
}

/** The team's members with account fields, maintainers first. */
export function listTeamMembers(teamId: number, q: Executor = db): Promise<TeamMemberListRow[]> {
  return q<TeamMemberListRow>("team_memberships as tm")
    .join("users as u", "u.id", "tm.user_id")
    .where("tm.team_id", teamId)
    .select("tm.*", "u.username", "u.display_name")
    .orderBy([{ column: "tm.maintainer", order: "desc" }, { column: "u.username" }]);
}

/** The user's membership in the team, or undefined. */
export function findTeamMembership(teamId: number, userId: number, q: Executor = db): Promise<TeamMembershipRow | undefined> {
  return q<TeamMembershipRow>("team_memberships").where({ team_id: teamId, user_id: userId }).first();
}

/**
 * Adds an organization member to a team (the foreign key refuses anyone who is not a member of the
 * team's organization); an existing team membership is left as it is.
 */
export async function insertTeamMembership(fields: Pick<TeamMembershipRow, "organization_id" | "team_id" | "user_id"> & { maintainer?: boolean }, q: Executor = db): Promise<void> {
  await q("team_memberships").insert(fields).onConflict(["team_id", "user_id"]).ignore();
}

/** Sets or clears a team member's maintainer flag. */
export async function setTeamMaintainer(teamId: number, userId: number, maintainer: boolean, q: Executor = db): Promise<void> {
  await q("team_memberships").where({ team_id: teamId, user_id: userId }).update({ maintainer });
}

/** Removes a user from a team. */
export async function deleteTeamMembership(teamId: number, userId: number, q: Executor = db): Promise<void> {
  await q("team_memberships").where({ team_id: teamId, user_id: userId }).delete();
}
