import { Strategy as GitHubStrategy } from "passport-github2";
import type { ProviderConfig } from "../../config";
import { configuredOrigin, deliverProfile, providerName, requireId, stateSessionKey, str, type ExternalProfile, type ProviderDefinition } from "./types";

const DEFAULT_URL = "https://github.com";
const DEFAULT_API_URL = "https://api.github.com";

/** GitHub's /user document (the fields we read). */
export interface GitHubUser {
  id: number;
  login: string;
  name?: string | null;
  avatar_url?: string | null;
}

/** One entry of GitHub's /user/emails. */
export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * Maps GitHub's /user and /user/emails to a profile. The public `email` of /user is ignored: only
 * /user/emails says whether an address is verified. The primary address counts when verified,
 * else the first other verified one.
 */
export function mapGitHubProfile(user: GitHubUser, emails: GitHubEmail[]): ExternalProfile {
  const verified = emails.filter((e) => e.verified === true && typeof e.email === "string" && !e.email.endsWith("@users.noreply.github.com"));
  const chosen = verified.find((e) => e.primary) ?? verified[0];
  const login = providerName(user.login) ?? "";
  return {
    provider: "github",
    id: requireId(user.id, "GitHub"),
    username: login,
    displayName: providerName(user.name) ?? login,
    avatarUrl: str(user.avatar_url) ?? null,
    verifiedEmail: chosen?.email ?? null,
  };
}

/** GitHub (and GitHub Enterprise Server through GITHUB_URL / GITHUB_API_URL). */
export const github: ProviderDefinition = {
  name: "github",
  label: "GitHub",
  authorizationOrigin: (config: ProviderConfig) => new URL(config.urls.GITHUB_URL ?? DEFAULT_URL).origin,
  avatarOrigins,
  createStrategy(config: ProviderConfig, callbackURL: string) {
    const base = config.urls.GITHUB_URL ?? DEFAULT_URL;
    const api = apiUrl(config);
    return tokenErrorsFromBody(new GitHubStrategy(
      {
        clientID: config.clientId,
        clientSecret: config.clientSecret,
        callbackURL,
        authorizationURL: `${base}/login/oauth/authorize`,
        tokenURL: `${base}/login/oauth/access_token`,
        userProfileURL: `${api}/user`,
        userEmailURL: `${api}/user/emails`,
        // user:email is the one scope needed: it unlocks /user/emails and its `verified` flags.
        scope: ["user:email"],
        allRawEmails: true,
        userAgent: "Gatehouse",
        state: true,
        // GitHub accepts PKCE (S256) for OAuth apps since July 2025.
        pkce: true,
        sessionKey: stateSessionKey("github"),
      },
      (_accessToken, _refreshToken, profile, done) => {
        const emails = ((profile.emails ?? []) as { value: string; primary: boolean; verified: boolean }[]).map((e) => ({
          email: e.value,
          primary: e.primary,
          verified: e.verified,
        }));
        deliverProfile(() => mapGitHubProfile(profile._json as GitHubUser, emails), avatarOrigins(config), done);
      },
    ));
  },
};

type TokenCallback = (err: unknown, accessToken?: string, refreshToken?: string, results?: Record<string, unknown>) => void;
interface TokenClient {
  getOAuthAccessToken(code: string, params: Record<string, unknown>, callback: TokenCallback): void;
}

/**
 * GitHub answers a used or invented code with HTTP 200 and an `error` field, which passport-oauth2
 * turns into a bare "Failed to obtain access token". Handed on as the error response it is, it
 * becomes a TokenError carrying GitHub's code, so the callback can tell the browser's bad code (4xx)
 * from a failing provider (5xx) as it does for the other providers (src/auth/providers/callback-errors.ts).
 */
function tokenErrorsFromBody(strategy: GitHubStrategy): GitHubStrategy {
  const client = (strategy as unknown as { _oauth2: TokenClient })._oauth2;
  const original = client.getOAuthAccessToken.bind(client);
  client.getOAuthAccessToken = (code, params, callback) =>
    original(code, params, (err, accessToken, refreshToken, results) => {
      if (!err && !accessToken && typeof results?.error === "string") return callback({ statusCode: 400, data: JSON.stringify(results) });
      callback(err, accessToken, refreshToken, results);
    });
  return strategy;
}

/** github.com users' avatars are on avatars.githubusercontent.com; GitHub Enterprise Server serves them from its own host. */
function avatarOrigins(config: ProviderConfig): string[] {
  return config.urls.GITHUB_URL ? configuredOrigin(config, "GITHUB_URL") : ["https://avatars.githubusercontent.com"];
}

function apiUrl(config: ProviderConfig): string {
  return config.urls.GITHUB_API_URL ?? (config.urls.GITHUB_URL ? `${config.urls.GITHUB_URL}/api/v3` : DEFAULT_API_URL);
}

