import { defineMail } from "./mail";

/** One token of the reminder, as the mail lists it. */
export interface ExpiringTokenLine {
  description: string;
  /** The prefix and last four characters, as the tokens page shows them: gth_…a1b2. */
  hint: string;
  expiresOn: string;
}

/**
 * Tells an account that some of its personal access tokens stop working within days, once per
 * token, so that whatever uses them is given a new one in time rather than failing at the expiry.
 */
export const accessTokensExpiringMail = defineMail<{ username: string; tokens: ExpiringTokenLine[]; days: number }>(
  "access-tokens-expiring",
  (v) => (v.tokens.length === 1 ? "Your Gatehouse access token expires soon" : `${v.tokens.length} of your Gatehouse access tokens expire soon`),
  () => ({ tokensUrl: "/settings/tokens" }),
);
