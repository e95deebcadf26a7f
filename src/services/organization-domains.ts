import { db, type Executor } from "../db/knex";
import {
  DOMAIN_CLAIM_UNIQUE,
  deleteOrganizationDomain,
  findOrganizationDomain,
  findOrganizationDomainByName,
  findVerifiedDomain,
  insertOrganizationDomain,
  markOrganizationDomainVerified,
  VERIFIED_DOMAIN_UNIQUE,
  type OrganizationDomainRow,
} from "../db/organization-domains";
import { lockOrganization, setOrganizationJoinPolicy, type JoinPolicy, type OrganizationRow } from "../db/organizations";
import { canonicalDomain } from "../lib/domain-names";
import { ConflictError, forbidden, isUniqueViolation, notFound, ValidationError } from "../lib/errors";
import { randomToken } from "../lib/tokens";
import { canManageDomains, type Actor } from "../policies/organizations";
import { recordAdminAction, type AdminContext } from "./admin-audit";
import { lookupTxt, type DnsOptions } from "./dns-txt";
import { orgEventActor, recordOrgEvent } from "./organization-log";

/**
 * Verified domains. An owner claims a domain and gets a value to publish as a TXT record at
 * `_gatehouse-challenge.<domain>` (a name of its own, so the record sits beside the domain's SPF
 * and other TXT records without touching them, and can be removed once verified); "Verify" looks it
 * up. A site admin can approve a domain instead (tests, small setups), which the admin audit log
 * records. Only one organization can hold a domain verified: the database's partial unique index
 * decides between two verifying at once, and the loser is told the domain is taken.
 */

/** The DNS name where the verification record is published. */
export const challengeName = (domain: string) => `_gatehouse-challenge.${domain}`;

/** The TXT record's value for a claim's token. */
export const challengeValue = (token: string) => `gatehouse-verification=${token}`;

const TAKEN = "This domain is already verified by another organization.";
const ALREADY_VERIFIED_HERE = "This organization has this domain verified already.";

/** The domain typed into a form in canonical form, or the form's 422. */
function domainOrRefuse(typed: string): string {
  const result = canonicalDomain(typed);
  if (!result.ok) throw new ValidationError({ domain: result.error });
  return result.domain;
}

/** Adds an unverified claim of a domain with a fresh 128-bit verification value. */
export async function addDomain(org: OrganizationRow, actor: Actor, typed: string): Promise<OrganizationDomainRow> {
  if (!canManageDomains(actor)) throw forbidden();
  const domain = domainOrRefuse(typed);
  const holder = await findVerifiedDomain(domain);
  if (holder && holder.organization_id !== org.id) throw new ValidationError({ domain: TAKEN });
  if (holder || (await findOrganizationDomainByName(org.id, domain))) throw new ValidationError({ domain: "This domain is already on the list." });
  try {
    return await db.transaction(async (trx) => {
      const row = await insertOrganizationDomain({ organization_id: org.id, domain, verification_token: randomToken(16) }, trx);
      await recordOrgEvent(org.id, orgEventActor(actor), "domain.added", { domain }, trx);
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err, DOMAIN_CLAIM_UNIQUE)) throw new ValidationError({ domain: "This domain is already on the list." });
    throw err;
  }
}

/** Runs `work` in a transaction; another organization holding the domain verified (the unique index) becomes `taken()`. */
async function verifiedOrTaken<T>(work: (trx: Executor) => Promise<T>, taken: () => Error): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (err) {
    if (isUniqueViolation(err, VERIFIED_DOMAIN_UNIQUE)) throw taken();
    throw err;
  }
}

/** At most a few found values, each cut short, for the message that says what DNS answered. */
function describeFound(records: string[]): string {
  const shown = records.slice(0, 5).map((r) => `“${r.length > 80 ? `${r.slice(0, 80)}…` : r}”`);
  return shown.join(", ") + (records.length > 5 ? ` and ${records.length - 5} more` : "");
}

/**
 * Looks up the claim's TXT record and marks it verified when one of the values is exactly the
 * expected one. A miss is a conflict whose message says what was found instead, so the owner can
 * fix the record (a typo, the record at the domain itself, DNS not yet updated).
 */
export async function verifyDomainByDns(dns: DnsOptions, org: OrganizationRow, actor: Actor, id: number): Promise<OrganizationDomainRow> {
  if (!canManageDomains(actor)) throw forbidden();
  const claim = await findOrganizationDomain(org.id, id);
  if (!claim) throw notFound("Domain");
  if (claim.verified_at) return claim;
  const name = challengeName(claim.domain);
  const expected = challengeValue(claim.verification_token);
  const answer = await lookupTxt(name, dns);
  if (answer.kind === "failed") throw new ConflictError(`Could not check ${name}: ${answer.reason}. Try again in a moment.`, "dns_failed");
  if (answer.kind === "none") throw new ConflictError(`No TXT record found at ${name} (${answer.reason}). Publish ${expected} there, wait for DNS to update, and verify again.`, "dns_missing");
  if (!answer.records.some((r) => r.trim() === expected)) {
    throw new ConflictError(`The TXT record at ${name} does not match. Found ${describeFound(answer.records)}; expected ${expected}.`, "dns_mismatch");
  }
  await verifiedOrTaken(async (trx) => {
    if (await markOrganizationDomainVerified(claim.id, "dns", trx)) {
      await recordOrgEvent(org.id, orgEventActor(actor), "domain.verified", { domain: claim.domain, by: "dns" }, trx);
    }
  }, () => new ConflictError(`${claim.domain}: ${TAKEN}`, "domain_taken"));
  return claim;
}

/** Removes a claim (verified or not); people at the domain can no longer find or join the organization by it. */
export async function removeDomain(org: OrganizationRow, actor: Actor, id: number): Promise<OrganizationDomainRow> {
  if (!canManageDomains(actor)) throw forbidden();
  const claim = await findOrganizationDomain(org.id, id);
  if (!claim) throw notFound("Domain");
  await db.transaction(async (trx) => {
    if (await deleteOrganizationDomain(org.id, claim.id, trx)) {
      await recordOrgEvent(org.id, orgEventActor(actor), "domain.removed", { domain: claim.domain, verified: claim.verified_at !== null }, trx);
    }
  });
  return claim;
}

/** Sets who at the verified domains may join; logged with the old and the new policy. */
export async function setJoinPolicy(org: OrganizationRow, actor: Actor, policy: JoinPolicy): Promise<void> {
  if (!canManageDomains(actor)) throw forbidden();
  await db.transaction(async (trx) => {
    const fresh = await lockOrganization(org.id, trx);
    if (!fresh) throw notFound("Organization");
    if (fresh.join_policy === policy) return;
    await setOrganizationJoinPolicy(org.id, policy, trx);
    await recordOrgEvent(org.id, orgEventActor(actor), "join_policy.changed", { from: fresh.join_policy, to: policy }, trx);
  });
}

/**
 * A site admin marks a domain verified for an organization without DNS (the claim is added when
 * there is none), recorded in the admin audit log and in the organization's log.
 */
export async function approveDomainAsAdmin(admin: AdminContext, org: OrganizationRow, typed: string): Promise<string> {
  const domain = domainOrRefuse(typed);
  const holder = await findVerifiedDomain(domain);
  if (holder && holder.organization_id !== org.id) throw new ValidationError({ domain: TAKEN });
  if (holder) throw new ValidationError({ domain: ALREADY_VERIFIED_HERE });
  // One transaction: a claim added for the approval is not left behind when the approval fails.
  await verifiedOrTaken(async (trx) => {
    const claim = (await findOrganizationDomainByName(org.id, domain, trx))
      ?? (await insertOrganizationDomain({ organization_id: org.id, domain, verification_token: randomToken(16) }, trx));
    await markOrganizationDomainVerified(claim.id, "admin", trx);
    await recordAdminAction(admin, "organization.domain_approved", { type: "organization", id: org.id, label: org.slug }, { domain }, trx);
    await recordOrgEvent(org.id, { userId: admin.actor.id, name: admin.actor.username }, "domain.verified", { domain, by: "admin" }, trx);
  }, () => new ValidationError({ domain: TAKEN })).catch((err) => {
    // Another admin approved the same domain for this organization at the same moment.
    if (isUniqueViolation(err, DOMAIN_CLAIM_UNIQUE)) throw new ValidationError({ domain: ALREADY_VERIFIED_HERE });
    throw err;
  });
  return domain;
}
