import { defineSecurityMail } from "./mail";

/**
 * The security notice sent whenever an access token is created (settings page, API or CLI sign-in),
 * so that a token minted by someone else with the account is noticed and can be revoked.
 */
export const accessTokenCreatedMail = defineSecurityMail<{
  username: string;
  description: string;
  how: string;
  expiresOn: string | null;
  ip: string | null;
}>("access-token-created", () => "A new access token was created for your Gatehouse account", () => ({ tokensUrl: "/settings/tokens" }));
