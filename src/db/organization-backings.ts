import type { BackingProviderName } from "../auth/providers/backing-api";
import { db, type Executor } from "./knex";

/** An organization's backing by a provider group (table organization_backings). */
export interface OrganizationBackingRow {
  organization_id: number;
  provider: BackingProviderName;
  provider_org_id: string;
  provider_org_login: string;
  /** The connecting owner's provider token, sealed with ctx.secretBox; never shown or logged. */
  token_sealed: string;
  /** For providers whose tokens expire (GitLab, Bitbucket): the refresh token, sealed, and when the token expires. */
  refresh_token_sealed: string | null;
  token_expires_at: Date | null;
  connected_by: number | null;
  self_join: boolean;
  /** Set when the provider refused the token (401): backing does nothing until an owner reconnects. */
  broken_at: Date | null;
  checked_at: Date | null;
  created_at: Date;
}

/** The organization's backing, or undefined. */
export function findOrganizationBacking(organizationId: number, q: Executor = db): Promise<OrganizationBackingRow | undefined> {
  return q<OrganizationBackingRow>("organization_backings").where({ organization_id: organizationId }).first();
}

/** Stores (or replaces) the organization's backing, healthy again. */
export async function upsertOrganizationBacking(
  fields: Pick<OrganizationBackingRow, "organization_id" | "provider" | "provider_org_id" | "provider_org_login" | "token_sealed" | "refresh_token_sealed" | "token_expires_at" | "connected_by">,
  q: Executor = db,
): Promise<void> {
  await q("organization_backings").insert({ ...fields, broken_at: null }).onConflict("organization_id")
    .merge(["provider", "provider_org_id", "provider_org_login", "token_sealed", "refresh_token_sealed", "token_expires_at", "connected_by", "broken_at"]);
}

/** The backing row locked for update (a token refresh holds it so two processes never spend one refresh token). */
export function lockOrganizationBacking(organizationId: number, q: Executor): Promise<OrganizationBackingRow | undefined> {
  return q<OrganizationBackingRow>("organization_backings").where({ organization_id: organizationId }).forUpdate().first();
}

/** Stores a refreshed token (and the refresh token that replaced the spent one). */
export async function updateBackingTokens(organizationId: number, fields: Pick<OrganizationBackingRow, "token_sealed" | "refresh_token_sealed" | "token_expires_at">, q: Executor = db): Promise<void> {
  await q("organization_backings").where({ organization_id: organizationId }).update(fields);
}

/** Deletes the organization's backing and with it the stored token; true when there was one. */
export async function deleteOrganizationBacking(organizationId: number, q: Executor = db): Promise<boolean> {
  return (await q("organization_backings").where({ organization_id: organizationId }).delete()) > 0;
}

/** Turns joining on one's own on or off. */
export async function setBackingSelfJoin(organizationId: number, selfJoin: boolean, q: Executor = db): Promise<void> {
  await q("organization_backings").where({ organization_id: organizationId }).update({ self_join: selfJoin });
}

/** Marks the backing broken (the provider refused its token). */
export async function markBackingBroken(organizationId: number, q: Executor = db): Promise<void> {
  await q("organization_backings").where({ organization_id: organizationId }).whereNull("broken_at").update({ broken_at: q.fn.now() });
}

/** Records a completed membership check. */
export async function markBackingChecked(organizationId: number, q: Executor = db): Promise<void> {
  await q("organization_backings").where({ organization_id: organizationId }).update({ checked_at: q.fn.now() });
}

/** Every working backing (of the given providers, or of all), for the daily recheck and the sign-in checks. */
export function listWorkingBackings(providers?: BackingProviderName[], q: Executor = db): Promise<OrganizationBackingRow[]> {
  const query = q<OrganizationBackingRow>("organization_backings").whereNull("broken_at").orderBy("organization_id");
  return providers ? query.whereIn("provider", providers) : query;
}
