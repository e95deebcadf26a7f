import { db, type Executor } from "./knex";
import type { OrganizationRow } from "./organizations";
import type { OrgRole } from "../policies/organizations";

export type { OrgRole };

export interface MembershipRow {
  id: number;
  organization_id: number;
  user_id: number;
  role: OrgRole;
  created_at: Date;
  updated_at: Date;
}

/** A membership with the member's public account fields, for member lists. */
export interface MemberListRow extends MembershipRow {
  username: string;
  display_name: string;
  email: string;
}

/** A membership with its organization, for a user's own list. */
export interface UserOrganizationRow extends MembershipRow {
  slug: string;
  name: string;
  org_created_at: Date;
  org_updated_at: Date;
}

/** The user's membership in the organization, or undefined when they are not a member. */
export function findMembership(organizationId: number, userId: number, q: Executor = db): Promise<MembershipRow | undefined> {
  return q<MembershipRow>("memberships").where({ organization_id: organizationId, user_id: userId }).first();
}

/** The membership with this id inside this organization, or undefined (an id from another org is unknown). */
export function findMembershipInOrganization(organizationId: number, membershipId: number, q: Executor = db): Promise<MembershipRow | undefined> {
  return q<MembershipRow>("memberships").where({ organization_id: organizationId, id: membershipId }).first();
}

/** Adds a user to an organization; an existing membership is left as it is. Returns whether one was added. */
export async function insertMembership(fields: Pick<MembershipRow, "organization_id" | "user_id" | "role">, q: Executor = db): Promise<boolean> {
  const rows = await q("memberships").insert(fields).onConflict(["organization_id", "user_id"]).ignore().returning("id");
  return rows.length > 0;
}

/** Sets a membership's role. */
export async function updateMembershipRole(id: number, role: OrgRole, q: Executor = db): Promise<void> {
  await q("memberships").where({ id }).update({ role, updated_at: q.fn.now() });
}

/** Deletes a membership (the member's team memberships go with it). */
export async function deleteMembership(id: number, q: Executor = db): Promise<void> {
  await q("memberships").where({ id }).delete();
}

/** How many owners the organization has. */
export async function countOwners(organizationId: number, q: Executor = db): Promise<number> {
  const row = await q("memberships").where({ organization_id: organizationId, role: "owner" }).count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/** A page of an organization's members with their account fields, owners first, then by username. */
export function listMembers(organizationId: number, limit: number, offset: number, q: Executor = db): Promise<MemberListRow[]> {
  return q<MemberListRow>("memberships as m")
    .join("users as u", "u.id", "m.user_id")
    .where("m.organization_id", organizationId)
    .select("m.*", "u.username", "u.display_name", "u.email")
    .orderByRaw("CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.username")
    .limit(limit)
    .offset(offset);
}

/** How many members the organization has. */
export async function countMembers(organizationId: number, q: Executor = db): Promise<number> {
  const row = await q("memberships").where({ organization_id: organizationId }).count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/** The user ids of an organization's members with one of these roles. */
export async function listMemberIdsWithRoles(organizationId: number, roles: OrgRole[], q: Executor = db): Promise<number[]> {
  const rows = await q("memberships").where({ organization_id: organizationId }).whereIn("role", roles).select("user_id");
  return rows.map((r: { user_id: number }) => r.user_id);
}

/** Every organization the user belongs to, with their role, by name. */
export function listOrganizationsForUser(userId: number, q: Executor = db): Promise<UserOrganizationRow[]> {
  return q<UserOrganizationRow>("memberships as m")
    .join<OrganizationRow>("organizations as o", "o.id", "m.organization_id")
    .where("m.user_id", userId)
    .select("m.*", "o.slug", "o.name", "o.created_at as org_created_at", "o.updated_at as org_updated_at")
    .orderBy("o.name");
}

/** The organizations where this user is the only owner. */
export function listOrganizationsSolelyOwnedBy(userId: number, q: Executor = db): Promise<Pick<OrganizationRow, "id" | "slug" | "name">[]> {
  return q("memberships as m")
    .join("organizations as o", "o.id", "m.organization_id")
    .where({ "m.user_id": userId, "m.role": "owner" })
    .whereNotExists(function () {
      this.select(1).from("memberships as other")
        .whereRaw("other.organization_id = m.organization_id")
        .where("other.role", "owner")
        .whereRaw("other.user_id <> m.user_id");
    })
    .select("o.id", "o.slug", "o.name")
    .orderBy("o.name");
}
