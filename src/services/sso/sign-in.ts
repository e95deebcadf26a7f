import type { AppContext } from "../../context";
import { findSsoProvider, type SsoProviderRow } from "../../db/organization-sso";
import { findVerifiedDomain } from "../../db/organization-domains";
import { insertMembership } from "../../db/memberships";
import { findOrganizationById, findOrganizationBySlug, type OrganizationRow } from "../../db/organizations";
import { emailDomain } from "../../lib/domain-names";
import { signInWithIdentity, type SignInOutcome } from "../external-sign-in";
import { recordOrgEvent } from "../organization-log";
import type { SsoProfile } from "./profile";
import type { ExternalProfile } from "../../auth/providers/types";

/**
 * Signing in with an organization's identity provider. The IdP's subject is an identity like any
 * other, with provider `sso:<organization id>`, so the decision tree of services/external-sign-in.ts
 * applies unchanged: a known (organization, subject) signs in to its account; an unknown one whose
 * verified address belongs to an account is NEVER linked or joined silently (the person signs in
 * and links from /settings/identities); an unknown one with a verified address that nobody has
 * becomes a new confirmed account (just-in-time), which joins the organization as a member in the
 * same transaction. A subject without a verified address is refused: we do not ask for one, since
 * the organization's IdP is supposed to know it.
 */

/** The identity provider name of an organization's IdP in the identities table. */
export const ssoProviderKey = (organizationId: number): `sso:${number}` => `sso:${organizationId}`;

/** The organization id in an `sso:<id>` provider name, or undefined for other providers. */
export function ssoOrganizationId(provider: string): number | undefined {
  const match = /^sso:(\d+)$/.exec(provider);
  return match ? Number(match[1]) : undefined;
}

/** An organization with its identity provider. */
export interface SsoOrganization {
  org: OrganizationRow;
  provider: SsoProviderRow;
}

/**
 * The organization whose SSO an email address or slug names: by the address's domain, which must
 * be verified by that organization, or by the slug. Undefined when none uses SSO for it (the caller
 * says only that, not whether the organization exists).
 */
export async function findSsoOrganization(emailOrSlug: string): Promise<SsoOrganization | undefined> {
  let org: OrganizationRow | undefined;
  if (emailOrSlug.includes("@")) {
    const domain = emailDomain(emailOrSlug);
    const claim = domain ? await findVerifiedDomain(domain) : undefined;
    org = claim ? await findOrganizationById(claim.organization_id) : undefined;
  } else {
    org = await findOrganizationBySlug(emailOrSlug);
  }
  const provider = org ? await findSsoProvider(org.id) : undefined;
  return org && provider ? { org, provider } : undefined;
}

/** The organization with this id and its identity provider, or undefined. */
export async function findSsoOrganizationById(id: number): Promise<SsoOrganization | undefined> {
  const org = await findOrganizationById(id);
  const provider = org ? await findSsoProvider(org.id) : undefined;
  return org && provider ? { org, provider } : undefined;
}

/** The IdP's answer as an identity of the tree: provider `sso:<organization id>`, id the subject. */
export function ssoExternalProfile(organizationId: number, profile: SsoProfile): ExternalProfile {
  return {
    provider: ssoProviderKey(organizationId),
    id: profile.subject,
    username: profile.username || profile.displayName || "member",
    displayName: profile.displayName,
    avatarUrl: null,
    verifiedEmail: profile.verifiedEmail,
  };
}

/** What an SSO sign-in led to: the tree's outcomes, or no verified address. */
export type SsoSignInOutcome = SignInOutcome | { kind: "no_verified_email" };

/** Signs in, or creates and joins, the person the IdP vouched for (see the tree above). */
export async function signInWithSso(ctx: AppContext, org: OrganizationRow, profile: SsoProfile): Promise<SsoSignInOutcome> {
  const outcome = await signInWithIdentity(ctx, ssoExternalProfile(org.id, profile), false, {
    onCreate: async (user, trx) => {
      await insertMembership({ organization_id: org.id, user_id: user.id, role: "member" }, trx);
      await recordOrgEvent(org.id, { userId: user.id, name: user.username }, "member.joined_by_sso", { username: user.username }, trx);
    },
  });
  if (outcome.kind === "needs_email") return { kind: "no_verified_email" };
  return outcome;
}
