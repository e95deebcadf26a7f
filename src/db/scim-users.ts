import type { Knex } from "knex";
import { db, type Executor } from "./knex";

/** The name parts a SCIM User carries (RFC 7643 §4.1.1). */
export interface ScimName {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}

/** One email of a SCIM User. */
export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

/** What the identity provider asserted about the person, kept as it sent it. */
export interface ScimProfile {
  displayName?: string;
  name?: ScimName;
  emails?: ScimEmail[];
}

/**
 * A person as the organization's SCIM endpoint sees them: the account, its membership in the
 * organization (none: inactive) and the IdP's record (none for a member who joined otherwise).
 */
export interface ScimUserView {
  id: number;
  username: string;
  email: string;
  email_confirmed_at: Date | null;
  display_name: string;
  created_at: Date;
  membership_id: number | null;
  role: "owner" | "admin" | "member" | null;
  membership_created_at: Date | null;
  scim_user_id: number | null;
  user_name: string | null;
  external_id: string | null;
  profile: ScimProfile | null;
  scim_created_at: Date | null;
  scim_updated_at: Date | null;
}

/** Narrows a ScimUserView query (the filter's tests, by the service). */
export type ScimUserWhere = (query: Knex.QueryBuilder) => void;

function scimUsers(organizationId: number, q: Executor) {
  return q("users as u")
    .leftJoin("memberships as m", (j) => j.on("m.user_id", "u.id").andOn("m.organization_id", q.raw("?", [organizationId])))
    .leftJoin("scim_users as s", (j) => j.on("s.user_id", "u.id").andOn("s.organization_id", q.raw("?", [organizationId])))
    .where((w) => w.whereNotNull("m.id").orWhereNotNull("s.id"));
}

const COLUMNS = [
  "u.id", "u.username", "u.email", "u.email_confirmed_at", "u.display_name", "u.created_at",
  "m.id as membership_id", "m.role", "m.created_at as membership_created_at",
  "s.id as scim_user_id", "s.user_name", "s.external_id", "s.profile", "s.created_at as scim_created_at", "s.updated_at as scim_updated_at",
];

/** A page of the organization's SCIM users matching `where`, by user id. */
export function listScimUsers(organizationId: number, where: ScimUserWhere, limit: number, offset: number, q: Executor = db): Promise<ScimUserView[]> {
  return scimUsers(organizationId, q).where(where).select(COLUMNS).orderBy("u.id").limit(limit).offset(offset);
}

/** How many of the organization's SCIM users match `where`. */
export async function countScimUsers(organizationId: number, where: ScimUserWhere, q: Executor = db): Promise<number> {
  const row = await scimUsers(organizationId, q).where(where).count<{ count: string }[]>({ count: "*" }).first();
  return Number(row?.count ?? 0);
}

/** The person with this user id as the organization's SCIM endpoint sees them, or undefined (not known to this organization). */
export function findScimUser(organizationId: number, userId: number, q: Executor = db): Promise<ScimUserView | undefined> {
  return scimUsers(organizationId, q).where("u.id", userId).select(COLUMNS).first();
}

/** The organization's SCIM user other than `exceptUserId` whose userName (the IdP's, or a member's email) is `userName`. */
export function findScimUserByUserName(organizationId: number, userName: string, exceptUserId: number | null, q: Executor = db): Promise<ScimUserView | undefined> {
  return scimUsers(organizationId, q)
    .whereRaw("coalesce(s.user_name, u.email) = ?::citext", [userName])
    .modify((b) => (exceptUserId ? b.whereNot("u.id", exceptUserId) : b))
    .select(COLUMNS)
    .first();
}

/** Whether another of the organization's SCIM users has this externalId. */
export async function isExternalIdTaken(organizationId: number, externalId: string, exceptUserId: number | null, q: Executor = db): Promise<boolean> {
  const row = await q("scim_users").where({ organization_id: organizationId, external_id: externalId }).modify((b) => (exceptUserId ? b.whereNot("user_id", exceptUserId) : b)).first("id");
  return Boolean(row);
}

/** Creates or replaces the IdP's record of a person in the organization. */
export async function upsertScimUser(fields: { organization_id: number; user_id: number; user_name: string; external_id: string | null; profile: ScimProfile }, q: Executor = db): Promise<void> {
  await q("scim_users")
    .insert({ ...fields, profile: JSON.stringify(fields.profile) })
    .onConflict(["organization_id", "user_id"])
    .merge({ user_name: fields.user_name, external_id: fields.external_id, profile: JSON.stringify(fields.profile), updated_at: q.fn.now() });
}

/** Deletes the IdP's record of a person in the organization. */
export async function deleteScimUserRecord(organizationId: number, userId: number, q: Executor = db): Promise<void> {
  await q("scim_users").where({ organization_id: organizationId, user_id: userId }).delete();
}

/** Whether the account can be signed in to at all: a password or a linked identity. */
export async function hasSignInMethod(userId: number, q: Executor = db): Promise<boolean> {
  const row = await q("users as u")
    .where("u.id", userId)
    .where((w) => w.whereNotNull("u.password_hash").orWhereExists(q("identities as i").select(q.raw("1")).whereRaw("i.user_id = u.id")))
    .first("u.id");
  return Boolean(row);
}

/**
 * Revokes the access tokens (organization and team) and SCIM tokens that this person created for
 * this organization; returns how many went.
 */
export async function revokeOrgTokensCreatedBy(organizationId: number, userId: number, q: Executor = db): Promise<number> {
  const access = await q("access_tokens").where({ organization_id: organizationId, created_by_id: userId }).whereNull("revoked_at").update({ revoked_at: q.fn.now() });
  const scim = await q("scim_tokens").where({ organization_id: organizationId, created_by_id: userId }).whereNull("revoked_at").update({ revoked_at: q.fn.now() });
  return access + scim;
}
