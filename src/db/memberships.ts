import type { Knex } from "knex";
import { db, type Executor } from "./knex";
import { containsPattern } from "./like";
import type { OrganizationRow } from "./organizations";
import type { OrgRole } from "../policies/organizations";
import type { OptionalNotificationCategory } from "./notification-preferences";

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

/** A search of a member list: text to find in usernames and display names, and in emails when `emails` is set. */
export interface MemberSearch {
  text: string;
  emails: boolean;
}

/** Narrows a memberships-joined-users query to the search, when there is one. */
function matching(search: MemberSearch | undefined) {
  return (qb: Knex.QueryBuilder) => {
    if (!search?.text) return;
    const pattern = containsPattern(search.text);
    void qb.where((w) => {
      void w.whereILike("u.username", pattern).orWhereILike("u.display_name", pattern);
      if (search.emails) void w.orWhereILike("u.email", pattern);
    });
  };
}

/** A page of an organization's members with their account fields (only those matching `search`, if given), owners first, then by username. */
export function listMembers(organizationId: number, limit: number, offset: number, search?: MemberSearch, q: Executor = db): Promise<MemberListRow[]> {
  return q<MemberListRow>("memberships as m")
    .join("users as u", "u.id", "m.user_id")
    .where("m.organization_id", organizationId)
    .modify(matching(search))
    .select("m.*", "u.username", "u.display_name", "u.email")
    .orderByRaw("CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.username")
    .limit(limit)
    .offset(offset);
}

/** The user id of the organization's member whose account has this email (case-insensitively), or undefined. */
export async function findMemberIdByEmail(organizationId: number, email: string, q: Executor = db): Promise<number | undefined> {
  const row = await q("memberships as m").join("users as u", "u.id", "m.user_id")
    .where({ "m.organization_id": organizationId, "u.email": email }).first("m.user_id");
  return row ? Number(row.user_id) : undefined;
}

/** How many members the organization has (only those matching `search`, if given). */
export async function countMembers(organizationId: number, search?: MemberSearch, q: Executor = db): Promise<number> {
  const row = await q("memberships as m").join("users as u", "u.id", "m.user_id")
    .where("m.organization_id", organizationId).modify(matching(search)).count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/** A member's account name and address, for mail. */
export interface MemberAddress {
  user_id: number;
  username: string;
  email: string;
}

/**
 * The members of an organization with their addresses, for mail to many of them in one query:
 * those with one of `roles` (every member without it) and, with `wanting`, only those whose stored
 * choice for that category of mail is on, or who never chose and `whenUnset` is true.
 */
export function listMemberAddresses(
  organizationId: number,
  opts: { roles?: OrgRole[]; wanting?: { category: OptionalNotificationCategory; whenUnset: boolean } } = {},
  q: Executor = db,
): Promise<MemberAddress[]> {
  const { roles, wanting } = opts;
  return q("memberships as m").join("users as u", "u.id", "m.user_id")
    .where("m.organization_id", organizationId)
    .modify((query) => {
      if (roles) query.whereIn("m.role", roles);
      if (wanting) {
        query.leftJoin("notification_preferences as np", (on) => on.on("np.user_id", "m.user_id").andOnVal("np.category", wanting.category))
          .whereRaw("coalesce(np.email, ?)", [wanting.whenUnset]);
      }
    })
    .select("m.user_id", "u.username", "u.email").orderBy("m.id");
}

/** The usernames of an organization's owners, alphabetically, at most `limit`. */
export async function listOwnerUsernames(organizationId: number, limit: number, q: Executor = db): Promise<string[]> {
  const rows = await q("memberships as m").join("users as u", "u.id", "m.user_id")
    .where({ "m.organization_id": organizationId, "m.role": "owner" }).orderBy("u.username").limit(limit).select("u.username");
  return rows.map((r: { username: string }) => r.username);
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
