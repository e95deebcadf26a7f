import { db, type Executor } from "./knex";

/** The single sign-on protocols an organization's identity provider can speak. */
export type SsoProtocol = "oidc" | "saml";

/** An organization's identity provider (table organization_sso_providers, one per organization). */
export interface SsoProviderRow {
  organization_id: number;
  protocol: SsoProtocol;
  oidc_issuer: string | null;
  oidc_client_id: string | null;
  /** Sealed by ctx.secretBox; opened only to talk to the token endpoint, never shown. */
  oidc_client_secret_sealed: string | null;
  /** The issuer's discovery document as fetched when the owner saved it. */
  oidc_metadata: Record<string, unknown> | null;
  saml_entity_id: string | null;
  saml_sso_url: string | null;
  /** The IdP's signing certificate, PEM. */
  saml_certificate: string | null;
  /** Members (not owners) reach the organization only in a session that came through this IdP. */
  require_sso: boolean;
  /** How long an SSO sign-in counts for the organization's pages and for personal tokens on its API. */
  session_lifetime_hours: number;
  created_at: Date;
  updated_at: Date;
}

/** The fields an owner sets for one protocol. */
export type SsoProviderFields = Pick<SsoProviderRow, "protocol" | "oidc_issuer" | "oidc_client_id" | "oidc_client_secret_sealed" | "oidc_metadata" | "saml_entity_id" | "saml_sso_url" | "saml_certificate">;

/** The organization's identity provider, or undefined. */
export function findSsoProvider(organizationId: number, q: Executor = db): Promise<SsoProviderRow | undefined> {
  return q<SsoProviderRow>("organization_sso_providers").where({ organization_id: organizationId }).first();
}

/** Sets the organization's identity provider (replacing the one it had; the policy fields stay). */
export async function upsertSsoProvider(organizationId: number, fields: SsoProviderFields, q: Executor = db): Promise<SsoProviderRow> {
  const row = { ...fields, oidc_metadata: fields.oidc_metadata ? JSON.stringify(fields.oidc_metadata) : null };
  const [saved] = await q<SsoProviderRow>("organization_sso_providers")
    .insert({ organization_id: organizationId, ...row } as never)
    .onConflict("organization_id")
    .merge({ ...row, updated_at: q.fn.now() } as never)
    .returning("*");
  return saved!;
}

/** Sets whether members must come through the IdP, and the SSO session lifetime. */
export async function updateSsoPolicy(organizationId: number, fields: Pick<SsoProviderRow, "require_sso" | "session_lifetime_hours">, q: Executor = db): Promise<void> {
  await q("organization_sso_providers").where({ organization_id: organizationId }).update({ ...fields, updated_at: q.fn.now() });
}

/** Removes the organization's identity provider; returns the removed row. */
export async function deleteSsoProvider(organizationId: number, q: Executor = db): Promise<SsoProviderRow | undefined> {
  const [row] = await q<SsoProviderRow>("organization_sso_providers").where({ organization_id: organizationId }).delete().returning("*");
  return row;
}

/** The primary key that refuses a second use of one SAML assertion. */
export const ASSERTION_REPLAY_KEY = "sso_assertions_pkey";

/** Remembers an accepted assertion id until it expires (throws a unique violation on a replay); old ones are dropped. */
export async function insertSsoAssertion(organizationId: number, assertionId: string, expiresAt: Date, q: Executor = db): Promise<void> {
  await q("sso_assertions").where("expires_at", "<", q.fn.now()).delete();
  await q("sso_assertions").insert({ organization_id: organizationId, assertion_id: assertionId, expires_at: expiresAt });
}

/** The organizations with an identity provider that the user is a member of, by name. */
export function listSsoOrganizationsForUser(userId: number, q: Executor = db): Promise<{ id: number; slug: string; name: string }[]> {
  return q("organizations as o")
    .join("memberships as m", "m.organization_id", "o.id")
    .join("organization_sso_providers as p", "p.organization_id", "o.id")
    .where("m.user_id", userId)
    .select("o.id", "o.slug", "o.name")
    .orderBy("o.name");
}

/** The names of organizations by id (for labelling SSO identities); missing ones are left out. */
export async function organizationNamesById(ids: number[], q: Executor = db): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await q<{ id: number; name: string }>("organizations").whereIn("id", ids).select("id", "name");
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}
