import { db, type Executor } from "./knex";
import { findOrganizationById, type OrganizationRow } from "./organizations";

/** A SCIM provisioning token of an organization (only its hash is stored). */
export interface ScimTokenRow {
  id: number;
  organization_id: number;
  token_hash: Buffer;
  token_prefix: string;
  last4: string;
  created_by_id: number | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** A token with its creator's username, for the settings page. */
export interface ScimTokenListRow extends ScimTokenRow {
  created_by_username: string | null;
}

/** Inserts a SCIM token and returns it. */
export async function insertScimToken(fields: Pick<ScimTokenRow, "organization_id" | "token_hash" | "token_prefix" | "last4" | "created_by_id">, q: Executor = db): Promise<ScimTokenRow> {
  const [row] = await q<ScimTokenRow>("scim_tokens").insert(fields).returning("*");
  return row!;
}

/** The organization's unrevoked SCIM tokens, newest first. */
export function listScimTokens(organizationId: number, q: Executor = db): Promise<ScimTokenListRow[]> {
  return q<ScimTokenListRow>("scim_tokens as s")
    .leftJoin("users as u", "u.id", "s.created_by_id")
    .where("s.organization_id", organizationId)
    .whereNull("s.revoked_at")
    .select("s.*", "u.username as created_by_username")
    .orderBy([{ column: "s.created_at", order: "desc" }, { column: "s.id", order: "desc" }]);
}

/** One of the organization's unrevoked SCIM tokens, or undefined (another organization's id is unknown). */
export function findScimToken(organizationId: number, id: number, q: Executor = db): Promise<ScimTokenRow | undefined> {
  return q<ScimTokenRow>("scim_tokens").where({ organization_id: organizationId, id }).whereNull("revoked_at").first();
}

/** Revokes one of the organization's SCIM tokens; returns whether one was revoked. */
export async function revokeScimToken(organizationId: number, id: number, q: Executor = db): Promise<boolean> {
  return (await q("scim_tokens").where({ organization_id: organizationId, id }).whereNull("revoked_at").update({ revoked_at: q.fn.now() })) > 0;
}

/** The unrevoked token with this hash and its organization, or undefined. */
export async function findLiveScimTokenByHash(hash: Buffer, q: Executor = db): Promise<{ token: ScimTokenRow; organization: OrganizationRow } | undefined> {
  const token = await q<ScimTokenRow>("scim_tokens").where({ token_hash: hash }).whereNull("revoked_at").first();
  const organization = token && (await findOrganizationById(token.organization_id, q));
  return token && organization ? { token, organization } : undefined;
}

/** Sets last_used_at unless it was set within the last minute (a busy IdP writes once a minute). */
export async function touchScimToken(id: number, q: Executor = db): Promise<void> {
  await q("scim_tokens")
    .where({ id })
    .where((w) => w.whereNull("last_used_at").orWhereRaw("last_used_at < now() - interval '1 minute'"))
    .update({ last_used_at: q.fn.now() });
}
