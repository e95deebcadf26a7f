import type { BackingProviderName } from "../auth/providers/backing-api";
import { db, type Executor } from "./knex";
import type { OrgRole } from "./memberships";

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

/** Every working backing, for the daily recheck. */
export function listWorkingBackings(q: Executor = db): Promise<OrganizationBackingRow[]> {
  return q<OrganizationBackingRow>("organization_backings").whereNull("broken_at").orderBy("organization_id");
}

/** A working backing a sign-in concerns, with the person's role in its organization (null: not a member). */
export type BackingOfPerson = OrganizationBackingRow & { member_role: OrgRole | null };

/**
 * The working backings of `providers` that a sign-in by `userId` has to check, in one statement:
 * those of organizations the person is a member of (but not an owner: owners are never removed),
 * and those that let people join on their own. Any other backed organization is none of theirs.
 */
export function listBackingsOfPerson(userId: number, providers: BackingProviderName[], q: Executor = db): Promise<BackingOfPerson[]> {
  return q("organization_backings as b")
    .leftJoin("memberships as m", (j) => j.on("m.organization_id", "=", "b.organization_id").andOnVal("m.user_id", "=", userId))
    .whereNull("b.broken_at")
    .whereIn("b.provider", providers)
    .where((w) => w.where((m) => m.whereNotNull("m.id").andWhere("m.role", "<>", "owner")).orWhere((j) => j.whereNull("m.id").andWhere("b.self_join", true)))
    .orderBy("b.organization_id")
    .select("b.*", "m.role as member_role");
}
