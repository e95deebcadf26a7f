import AtlassianStrategy from "passport-atlassian-oauth2";
import type { ProviderConfig } from "../../config";
import { configuredOrigin, deliverProfile, providerName, requireId, stateSessionKey, str, type ExternalProfile, type ProviderDefinition } from "./types";

const DEFAULT_AUTH_URL = "https://auth.atlassian.com";
const DEFAULT_API_URL = "https://api.atlassian.com";

/** Atlassian's /me document (OAuth 2.0 3LO user identity; the fields we read). */
export interface AtlassianUser {
  account_id: string;
  name?: string | null;
  nickname?: string | null;
  picture?: string | null;
  email?: string | null;
  email_verified?: boolean;
  account_status?: string;
}

/** Maps Atlassian's /me to a profile; the address counts only with `email_verified: true`. */
export function mapAtlassianProfile(user: AtlassianUser): ExternalProfile {
  const nickname = providerName(user.nickname) ?? providerName(user.name) ?? "";
  return {
    provider: "atlassian",
    id: requireId(user.account_id, "Atlassian"),
    username: nickname,
    displayName: providerName(user.name) ?? nickname,
    avatarUrl: str(user.picture) ?? null,
    verifiedEmail: user.email_verified === true ? (str(user.email) ?? null) : null,
  };
}

/** Atlassian accounts (Jira, Confluence, Bitbucket Cloud people), URLs overridable for tests. */
export const atlassian: ProviderDefinition = {
  name: "atlassian",
  label: "Atlassian",
  authorizationOrigin: (config: ProviderConfig) => new URL(config.urls.ATLASSIAN_AUTH_URL ?? DEFAULT_AUTH_URL).origin,
  avatarOrigins,
  createStrategy(config: ProviderConfig, callbackURL: string) {
    const auth = config.urls.ATLASSIAN_AUTH_URL ?? DEFAULT_AUTH_URL;
    const api = config.urls.ATLASSIAN_API_URL ?? DEFAULT_API_URL;
    return new AtlassianStrategy(
      {
        clientID: config.clientId,
        clientSecret: config.clientSecret,
        callbackURL,
        authorizationURL: `${auth}/authorize`,
        tokenURL: `${auth}/oauth/token`,
        profileURL: `${api}/me`,
        // The strategy also reads the accessible resources (sites) list; that is what a later
        // Atlassian-backed organization would use.
        accessibleResourcesURL: `${api}/oauth/token/accessible-resources`,
        // read:me is the one scope /me needs.
        scope: ["read:me"],
        state: true,
        // Atlassian's 3LO documentation does not offer PKCE; the session-bound state still applies.
        sessionKey: stateSessionKey("atlassian"),
      },
      (_accessToken, _refreshToken, profile, done) => deliverProfile(() => mapAtlassianProfile(profile._json as AtlassianUser), avatarOrigins(config), done),
    );
  },
};

/**
 * Atlassian's `picture` is on its avatar-management host, or Gravatar with Atlassian's initials
 * image as the fallback; with ATLASSIAN_API_URL set (tests, emulators), that origin too.
 */
function avatarOrigins(config: ProviderConfig): string[] {
  return ["https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net", "https://secure.gravatar.com", ...configuredOrigin(config, "ATLASSIAN_API_URL")];
}
