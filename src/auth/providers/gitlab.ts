import { Strategy as GitLabStrategy } from "passport-gitlab2";
import type { ProviderConfig } from "../../config";
import { configuredOrigin, deliverProfile, providerName, requireId, stateSessionKey, str, type ExternalProfile, type ProviderDefinition } from "./types";

const DEFAULT_URL = "https://gitlab.com";

/** GitLab's /api/v4/user document for the signed-in user (the fields we read). */
export interface GitLabUser {
  id: number;
  username: string;
  name?: string | null;
  avatar_url?: string | null;
  email?: string | null;
  confirmed_at?: string | null;
  state?: string;
}

/**
 * Maps GitLab's /api/v4/user to a profile. `email` is the primary address; GitLab only makes an
 * address primary once it is confirmed, and `confirmed_at` says the account's address was
 * confirmed, so the address counts only when both are present.
 */
export function mapGitLabProfile(user: GitLabUser): ExternalProfile {
  const username = providerName(user.username) ?? "";
  return {
    provider: "gitlab",
    id: requireId(user.id, "GitLab"),
    username,
    displayName: providerName(user.name) ?? username,
    avatarUrl: str(user.avatar_url) ?? null,
    verifiedEmail: str(user.email) && str(user.confirmed_at) ? str(user.email)! : null,
  };
}

/** GitLab.com or a self-managed GitLab (GITLAB_URL). */
export const gitlab: ProviderDefinition = {
  name: "gitlab",
  label: "GitLab",
  authorizationOrigin: (config: ProviderConfig) => new URL(baseUrl(config)).origin,
  avatarOrigins,
  createStrategy(config: ProviderConfig, callbackURL: string) {
    const base = baseUrl(config);
    return new GitLabStrategy(
      {
        clientID: config.clientId,
        clientSecret: config.clientSecret,
        callbackURL,
        // Explicit URLs: the strategy's own url.resolve() would drop a path prefix of a self-managed base.
        baseURL: `${base}/`,
        authorizationURL: `${base}/oauth/authorize`,
        tokenURL: `${base}/oauth/token`,
        profileURL: `${base}/api/v4/user`,
        // read_user is the smallest scope that reads /api/v4/user with the email.
        scope: ["read_user"],
        state: true,
        pkce: true,
        sessionKey: stateSessionKey("gitlab"),
      },
      (_accessToken, _refreshToken, profile, done) => deliverProfile(() => mapGitLabProfile(profile._json as GitLabUser), avatarOrigins(config), done),
    );
  },
};

/**
 * GitLab serves uploaded avatars from the instance itself (gitlab.com or GITLAB_URL), and for people
 * without one answers their Gravatar on secure.gravatar.com.
 */
function avatarOrigins(config: ProviderConfig): string[] {
  return [...(config.urls.GITLAB_URL ? configuredOrigin(config, "GITLAB_URL") : [DEFAULT_URL]), "https://secure.gravatar.com"];
}

function baseUrl(config: ProviderConfig): string {
  return config.urls.GITLAB_URL ?? DEFAULT_URL;
}

