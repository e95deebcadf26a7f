import { db, type Executor } from "../../db/knex";
import { lockOrganization, type OrganizationRow } from "../../db/organizations";
import {
  countScimGroups, filterMemberIds, findScimGroup, isGroupExternalIdTaken, listScimGroupMembers, listScimGroups, setScimGroupExternalId,
  type ScimGroupMemberRow, type ScimGroupView, type ScimGroupWhere,
} from "../../db/scim-groups";
import { deleteTeam, deleteTeamMembership, insertTeam, insertTeamMembership, renameTeam } from "../../db/teams";
import { isUniqueViolation, ScimError } from "../../lib/errors";
import type { FilterTest } from "./filter";
import { applyGroupPatch, type ScimGroupState } from "./group-patch";
import type { PatchOp } from "./patch";

/**
 * SCIM Groups of one organization: its teams, every one of them (also those made on the web), so
 * an IdP can match a group to an existing team by displayName. A group's members are team
 * members, who must be members of the organization (active Users): the team_memberships foreign
 * key says so too. Members join a team as plain members; maintainers are named on the web. Writes
 * lock the organization row first, like the Users' (src/services/scim/users.ts).
 */

/** A group with its members. */
export interface ScimGroupWithMembers extends ScimGroupView {
  members: ScimGroupMemberRow[];
}

const taken = (attr: string) => new ScimError(409, `Another group of this organization has this ${attr}.`, "uniqueness");

async function write<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (err) {
    if (isUniqueViolation(err)) throw taken("displayName or externalId");
    throw err;
  }
}

/** The tests of a Groups filter as a query condition; 400 invalidFilter for an attribute it cannot test. */
export function groupsWhere(tests: FilterTest[]): ScimGroupWhere {
  return (query) => {
    for (const t of tests) {
      // members[value eq "42"] (has that member), members eq "42" and members.value eq "42" alike.
      const value = t.path === "members" && t.where ? t.where.value : t.value;
      if (typeof value !== "string") throw new ScimError(400, `Compare ${t.path} with a string.`, "invalidFilter");
      if (t.path === "displayname" && !t.where) query.whereRaw("lower(t.name) = lower(?)", [value]);
      else if (t.path === "externalid" && !t.where) query.where("g.external_id", value);
      else if (t.path === "id" && !t.where) query.where("t.id", /^\d{1,15}$/.test(value) ? Number(value) : 0);
      else if ((t.path === "members" && (!t.where || t.where.attr === "value")) || (t.path === "members.value" && !t.where)) {
        const id = /^\d{1,15}$/.test(value) ? Number(value) : 0;
        query.whereExists((e) => e.from("team_memberships as tm").whereRaw("tm.team_id = t.id").where("tm.user_id", id));
      } else throw new ScimError(400, `Groups cannot be filtered by ${t.path}.`, "invalidFilter");
    }
  };
}

async function withMembers(groups: ScimGroupView[], q: Executor = db): Promise<ScimGroupWithMembers[]> {
  const members = await listScimGroupMembers(groups.map((g) => g.id), q);
  return groups.map((g) => ({ ...g, members: members.filter((m) => m.team_id === g.id) }));
}

/** A page of the organization's Groups matching the filter, and how many match in all. */
export async function listGroups(org: OrganizationRow, tests: FilterTest[], startIndex: number, count: number): Promise<{ total: number; rows: ScimGroupWithMembers[] }> {
  const where = groupsWhere(tests);
  const [total, rows] = await Promise.all([countScimGroups(org.id, where), count === 0 ? [] : listScimGroups(org.id, where, count, startIndex - 1)]);
  return { total, rows: await withMembers(rows) };
}

/** One of the organization's Groups, or 404. */
export async function getGroup(org: OrganizationRow, teamId: number, q: Executor = db): Promise<ScimGroupWithMembers> {
  const group = await findScimGroup(org.id, teamId, q);
  if (!group) throw new ScimError(404, "Group not found.");
  return (await withMembers([group], q))[0]!;
}

/** Creates a Group (a team) with its members and returns it. */
export async function createGroup(org: OrganizationRow, state: ScimGroupState): Promise<ScimGroupWithMembers> {
  return write(async (trx) => {
    await lockOrganization(org.id, trx);
    const team = await insertTeam({ organization_id: org.id, name: state.displayName }, trx);
    await save(org, team.id, { displayName: team.name, externalId: null, members: [] }, state, trx);
    return getGroup(org, team.id, trx);
  });
}

/** Replaces a Group's name, externalId and members (PUT). */
export async function replaceGroup(org: OrganizationRow, teamId: number, state: ScimGroupState): Promise<ScimGroupWithMembers> {
  return write(async (trx) => {
    await lockOrganization(org.id, trx);
    const current = await getGroup(org, teamId, trx);
    await save(org, teamId, stateOf(current), state, trx);
    return getGroup(org, teamId, trx);
  });
}

/** Applies PATCH operations to a Group. */
export async function patchGroup(org: OrganizationRow, teamId: number, ops: PatchOp[]): Promise<ScimGroupWithMembers> {
  return write(async (trx) => {
    await lockOrganization(org.id, trx);
    const current = stateOf(await getGroup(org, teamId, trx));
    await save(org, teamId, current, applyGroupPatch(current, ops), trx);
    return getGroup(org, teamId, trx);
  });
}

/** Deletes a Group: the team goes; its members stay in the organization. */
export async function deleteGroup(org: OrganizationRow, teamId: number): Promise<void> {
  await write(async (trx) => {
    await lockOrganization(org.id, trx);
    await getGroup(org, teamId, trx);
    await deleteTeam(org.id, teamId, trx);
  });
}

function stateOf(group: ScimGroupWithMembers): ScimGroupState {
  return { displayName: group.name, externalId: group.external_id, members: group.members.map((m) => m.user_id) };
}

async function save(org: OrganizationRow, teamId: number, current: ScimGroupState, next: ScimGroupState, trx: Executor): Promise<void> {
  if (next.displayName !== current.displayName) await renameTeam(org.id, teamId, next.displayName, trx);
  if (next.externalId !== current.externalId) {
    if (next.externalId && (await isGroupExternalIdTaken(org.id, next.externalId, teamId, trx))) throw taken("externalId");
    await setScimGroupExternalId(org.id, teamId, next.externalId, trx);
  }
  const added = next.members.filter((id) => !current.members.includes(id));
  const members = await filterMemberIds(org.id, added, trx);
  // Someone who is not an active member (unknown here, or deactivated) cannot be in a team.
  if (members.length !== added.length) throw new ScimError(400, "A member is not an active user of this organization.", "invalidValue");
  for (const id of added) await insertTeamMembership({ organization_id: org.id, team_id: teamId, user_id: id }, trx);
  for (const id of current.members.filter((m) => !next.members.includes(m))) await deleteTeamMembership(teamId, id, trx);
}
