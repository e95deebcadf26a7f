import { db, type Executor } from "./knex";
import { containsPattern } from "./like";
import type { OrganizationRow } from "./organizations";
import type { UserRow } from "./users";

/**
 * The admin area's lists across all accounts and organizations (site admins only; every other
 * query of the app is scoped to its user or organization).
 */

/** A user row as the admin list shows it, with the state columns. */
export interface AdminUserListRow extends Pick<UserRow, "id" | "username" | "email" | "display_name" | "email_confirmed_at" | "is_site_admin" | "suspended_at" | "created_at"> {
  organization_count: number;
  last_sign_in_at: Date | null;
  /** Whether the account has two-factor authentication turned on (an authenticator app set up). */
  two_factor: boolean;
}

/** An organization as the admin list shows it. */
export interface AdminOrganizationListRow extends OrganizationRow {
  member_count: number;
}

// Placeholder accounts that hold a username for a sign-up with a taken address (services/signup.ts)
// are nobody's account: the admin lists leave them out.
const NOT_A_PLACEHOLDER = "u.email NOT LIKE '%@username-hold.invalid'";

function userSearch(query: string | undefined, q: Executor) {
  const base = q("users as u").whereRaw(NOT_A_PLACEHOLDER);
  if (!query) return base;
  const pattern = containsPattern(query);
  return base.where((w) => w.whereILike("u.username", pattern).orWhereILike("u.email", pattern).orWhereILike("u.display_name", pattern));
}

/** A page of users whose username, email or display name contains `query` (all without one), by username. */
export function searchUsers(query: string | undefined, limit: number, offset: number, q: Executor = db): Promise<AdminUserListRow[]> {
  return userSearch(query, q)
    .select(
      "u.id", "u.username", "u.email", "u.display_name", "u.email_confirmed_at", "u.is_site_admin", "u.suspended_at", "u.created_at",
      q.raw("(SELECT count(*)::int FROM memberships m WHERE m.user_id = u.id) AS organization_count"),
      q.raw("(SELECT max(e.created_at) FROM security_events e WHERE e.user_id = u.id AND e.action = 'sign_in') AS last_sign_in_at"),
      q.raw("EXISTS (SELECT 1 FROM totp_credentials c WHERE c.user_id = u.id AND c.enabled_at IS NOT NULL) AS two_factor"),
    )
    .orderBy("u.username")
    .limit(limit)
    .offset(offset);
}

/** How many users searchUsers finds in all. */
export async function countUsers(query: string | undefined, q: Executor = db): Promise<number> {
  const row = await userSearch(query, q).count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/** When the user last signed in, from the security log, or null. */
export async function findLastSignIn(userId: number, q: Executor = db): Promise<Date | null> {
  const row = await q("security_events").where({ user_id: userId, action: "sign_in" }).max<{ max: Date | null }[]>("created_at as max").first();
  return row?.max ?? null;
}

function organizationSearch(query: string | undefined, q: Executor) {
  const base = q("organizations as o");
  if (!query) return base;
  const pattern = containsPattern(query);
  return base.where((w) => w.whereILike("o.slug", pattern).orWhereILike("o.name", pattern));
}

/** A page of organizations whose slug or name contains `query` (all without one), by slug. */
export function searchOrganizations(query: string | undefined, limit: number, offset: number, q: Executor = db): Promise<AdminOrganizationListRow[]> {
  return organizationSearch(query, q)
    .select("o.*", q.raw("(SELECT count(*)::int FROM memberships m WHERE m.organization_id = o.id) AS member_count"))
    .orderBy("o.slug")
    .limit(limit)
    .offset(offset);
}

/** How many organizations searchOrganizations finds in all. */
export async function countOrganizations(query: string | undefined, q: Executor = db): Promise<number> {
  const row = await organizationSearch(query, q).count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}
