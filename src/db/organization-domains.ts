import { db, type Executor } from "./knex";
import type { OrganizationRow } from "./organizations";

/** A domain an organization claims (table organization_domains); verified once verified_at is set. */
export interface OrganizationDomainRow {
  id: number;
  organization_id: number;
  /** Lowercased ASCII (punycode for internationalized names). */
  domain: string;
  /** The random value the owners publish in DNS; public by design, so kept as it is. */
  verification_token: string;
  verified_at: Date | null;
  verified_by: "dns" | "admin" | null;
  created_at: Date;
}

/** The unique index that lets only one organization hold a domain verified. */
export const VERIFIED_DOMAIN_UNIQUE = "organization_domains_verified_unique";

/** The unique index on one organization's claims. */
export const DOMAIN_CLAIM_UNIQUE = "organization_domains_claim_unique";

/** Inserts an unverified claim and returns it. */
export async function insertOrganizationDomain(fields: Pick<OrganizationDomainRow, "organization_id" | "domain" | "verification_token">, q: Executor = db): Promise<OrganizationDomainRow> {
  const [row] = await q<OrganizationDomainRow>("organization_domains").insert(fields).returning("*");
  return row!;
}

/** The organization's domains, verified first, then by name. */
export function listOrganizationDomains(organizationId: number, q: Executor = db): Promise<OrganizationDomainRow[]> {
  return q<OrganizationDomainRow>("organization_domains").where({ organization_id: organizationId })
    .orderByRaw("verified_at IS NULL, domain");
}

/** The domain with this id inside this organization, or undefined (another organization's id is unknown). */
export function findOrganizationDomain(organizationId: number, id: number, q: Executor = db): Promise<OrganizationDomainRow | undefined> {
  return q<OrganizationDomainRow>("organization_domains").where({ organization_id: organizationId, id }).first();
}

/** The organization's claim of this domain, verified or not, or undefined. */
export function findOrganizationDomainByName(organizationId: number, domain: string, q: Executor = db): Promise<OrganizationDomainRow | undefined> {
  return q<OrganizationDomainRow>("organization_domains").where({ organization_id: organizationId, domain }).first();
}

/** The verified claim of this domain, by whichever organization holds it, or undefined. */
export function findVerifiedDomain(domain: string, q: Executor = db): Promise<OrganizationDomainRow | undefined> {
  return q<OrganizationDomainRow>("organization_domains").where({ domain }).whereNotNull("verified_at").first();
}

/**
 * Marks a claim verified; returns whether it was still unverified. Fails with a unique violation on
 * VERIFIED_DOMAIN_UNIQUE when another organization holds the domain verified.
 */
export async function markOrganizationDomainVerified(id: number, by: "dns" | "admin", q: Executor = db): Promise<boolean> {
  const n = await q("organization_domains").where({ id }).whereNull("verified_at").update({ verified_at: q.fn.now(), verified_by: by });
  return n > 0;
}

/** Deletes a claim of this organization; returns whether there was one. */
export async function deleteOrganizationDomain(organizationId: number, id: number, q: Executor = db): Promise<boolean> {
  return (await q("organization_domains").where({ organization_id: organizationId, id }).delete()) > 0;
}

/** An organization that people at a domain may join, with how. */
export type JoinableOrganizationRow = Pick<OrganizationRow, "id" | "slug" | "name" | "join_policy"> & { domain: string };

/** The organizations holding this domain verified whose join policy lets its people in (at most one, by the index). */
export function listJoinableOrganizationsForDomain(domain: string, q: Executor = db): Promise<JoinableOrganizationRow[]> {
  return q("organization_domains as d")
    .join("organizations as o", "o.id", "d.organization_id")
    .where("d.domain", domain)
    .whereNotNull("d.verified_at")
    .whereIn("o.join_policy", ["request", "direct"])
    .select("o.id", "o.slug", "o.name", "o.join_policy", "d.domain")
    .orderBy("o.name");
}
