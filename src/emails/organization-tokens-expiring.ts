import type { ExpiringTokenLine } from "./access-tokens-expiring";
import { defineMail } from "./mail";

/**
 * Tells an organization's owners, who alone manage its organization and team tokens, that some of
 * them stop working within days: such tokens usually sit in CI, where an expiry shows only as a
 * failed pipeline.
 */
export const organizationTokensExpiringMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; tokens: ExpiringTokenLine[]; days: number }>(
  "organization-tokens-expiring",
  (v) => (v.tokens.length === 1 ? `An access token of ${v.orgName} expires soon` : `${v.tokens.length} access tokens of ${v.orgName} expire soon`),
  (v) => ({ tokensUrl: `/orgs/${v.orgSlug}/tokens` }),
);
