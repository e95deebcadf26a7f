import type { Knex } from "knex";
import { db, type Executor } from "./knex";

/** A team as the organization's SCIM endpoint sees it: the team and the IdP's externalId for it. */
export interface ScimGroupView {
  id: number;
  organization_id: number;
  name: string;
  created_at: Date;
  updated_at: Date;
  external_id: string | null;
}

/** A member of a group, for its `members` attribute. */
export interface ScimGroupMemberRow {
  team_id: number;
  user_id: number;
  username: string;
}

/** Narrows a ScimGroupView query (the filter's tests, by the service). */
export type ScimGroupWhere = (query: Knex.QueryBuilder) => void;

function scimGroups(organizationId: number, q: Executor) {
  return q("teams as t").leftJoin("scim_groups as g", "g.team_id", "t.id").where("t.organization_id", organizationId);
}

const COLUMNS = ["t.id", "t.organization_id", "t.name", "t.created_at", "t.updated_at", "g.external_id"];

/** A page of the organization's teams matching `where`, by id. */
export function listScimGroups(organizationId: number, where: ScimGroupWhere, limit: number, offset: number, q: Executor = db): Promise<ScimGroupView[]> {
  return scimGroups(organizationId, q).where(where).select(COLUMNS).orderBy("t.id").limit(limit).offset(offset);
}

/** How many of the organization's teams match `where`. */
export async function countScimGroups(organizationId: number, where: ScimGroupWhere, q: Executor = db): Promise<number> {
  const row = await scimGroups(organizationId, q).where(where).count<{ count: string }[]>({ count: "*" }).first();
  return Number(row?.count ?? 0);
}

/** The organization's team with this id, or undefined (another organization's team is unknown). */
export function findScimGroup(organizationId: number, teamId: number, q: Executor = db): Promise<ScimGroupView | undefined> {
  return scimGroups(organizationId, q).where("t.id", teamId).select(COLUMNS).first();
}

/** The members of these teams with their usernames, by team and user id. */
export function listScimGroupMembers(teamIds: number[], q: Executor = db): Promise<ScimGroupMemberRow[]> {
  if (teamIds.length === 0) return Promise.resolve([]);
  return q("team_memberships as tm").join("users as u", "u.id", "tm.user_id").whereIn("tm.team_id", teamIds).select("tm.team_id", "tm.user_id", "u.username").orderBy(["tm.team_id", "tm.user_id"]);
}

/** Which of these user ids are members of the organization. */
export async function filterMemberIds(organizationId: number, userIds: number[], q: Executor = db): Promise<number[]> {
  if (userIds.length === 0) return [];
  const rows = await q("memberships").where("organization_id", organizationId).whereIn("user_id", userIds).select("user_id");
  return rows.map((r: { user_id: number }) => r.user_id);
}

/** Sets (or, with null, clears) the IdP's externalId of a team. */
export async function setScimGroupExternalId(organizationId: number, teamId: number, externalId: string | null, q: Executor = db): Promise<void> {
  if (externalId === null) {
    await q("scim_groups").where({ organization_id: organizationId, team_id: teamId }).delete();
    return;
  }
  await q("scim_groups").insert({ organization_id: organizationId, team_id: teamId, external_id: externalId }).onConflict("team_id").merge({ external_id: externalId });
}

/** Whether another team of the organization has this externalId. */
export async function isGroupExternalIdTaken(organizationId: number, externalId: string, exceptTeamId: number | null, q: Executor = db): Promise<boolean> {
  const row = await q("scim_groups").where({ organization_id: organizationId, external_id: externalId }).modify((b) => (exceptTeamId ? b.whereNot("team_id", exceptTeamId) : b)).first("team_id");
  return Boolean(row);
}
