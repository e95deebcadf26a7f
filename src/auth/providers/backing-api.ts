import crypto from "node:crypto";
import type { Config, ProviderConfig, ProviderName } from "../../config";

/**
 * What organization backing needs from a provider, one adapter per provider (github-orgs.ts,
 * gitlab-groups.ts, bitbucket-workspaces.ts), and the HTTP pieces they share. The backing service,
 * its recheck job and its routes only ever talk to this interface, so the three providers keep the
 * same rules: a separate authorization asking for the group-reading scope at that moment only, a
 * token that must belong to the account the owner linked, and a provider error never read as "left".
 */

/** The providers an organization can be backed by (the organization_backings.provider values). */
export type BackingProviderName = "github" | "gitlab" | "bitbucket";

/** A group at the provider (GitHub organization, GitLab group, Bitbucket workspace) as backing stores it. */
export interface BackingGroup {
  /** The provider's immutable id (GitHub and GitLab: numeric; Bitbucket: the workspace UUID). */
  id: string;
  /** What people recognise it by (GitHub login, GitLab full path, Bitbucket slug). */
  login: string;
}

/** A token a provider granted: the access token and, for providers whose tokens expire, how to renew it. */
export interface BackingGrant {
  token: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string[];
}

/** The person at the provider whose membership a sign-in asks about: their id, and their account name. */
export interface BackingPerson {
  id: string;
  username: string;
}

/** The provider refused the token (HTTP 401): it was revoked, expired past renewal, or the owner lost access. */
export class BackingTokenRejected extends Error {
  constructor(provider: string) {
    super(`${provider} refused the token`);
  }
}

/** One provider's backing: its words, its identity, and its API. */
export interface BackingAdapter {
  name: BackingProviderName;
  /** "GitHub", "GitLab", "Bitbucket". */
  label: string;
  /** What a group is called there: "GitHub organization", "GitLab group", "Bitbucket workspace". */
  groupNoun: string;
  /** How an audit event names why someone was removed or joined ("github_organization"). */
  eventKey: string;
  /** The sign-in identity members are matched by (Bitbucket people are Atlassian accounts). */
  identityProvider: ProviderName;
  /** Its label ("Atlassian" for Bitbucket). */
  identityLabel: string;
  /** The scope the backing authorization needs, and checks it was granted. */
  scope: string;
  /** The provider's config, or undefined when the operator did not configure it. */
  config(config: Config): ProviderConfig | undefined;
  /** The origin of the provider's authorization page (the CSP's form-action must allow the start button's redirect there). */
  authorizationOrigin(config: ProviderConfig): string;
  /** The authorize URL for the backing authorization (state, and a PKCE S256 challenge where the provider takes one). */
  authorizeUrl(config: ProviderConfig, redirectUri: string, state: string, verifier: string): string;
  /** Exchanges an authorization code; undefined when the provider refuses the code. */
  exchangeCode(config: ProviderConfig, redirectUri: string, code: string, verifier: string): Promise<BackingGrant | undefined>;
  /** Renews an expiring token with its refresh token; undefined when the provider refuses it. Absent: tokens do not expire. */
  refresh?(config: ProviderConfig, redirectUri: string, refreshToken: string): Promise<BackingGrant | undefined>;
  /** The token's account: the id the identity of `identityProvider` is keyed by, and a name. */
  fetchAccount(config: ProviderConfig, token: string): Promise<{ id: string; login: string }>;
  /** The groups the token's person administers: the only ones that may be chosen. */
  listAdministered(config: ProviderConfig, token: string): Promise<BackingGroup[]>;
  /** The ids (in `identityProvider`'s terms) of every member of the group. */
  listMemberIds(config: ProviderConfig, token: string, group: BackingGroup): Promise<Set<string>>;
  /** Whether the person is a member right now; false only on a clear "no", and any other answer throws. */
  isMember(config: ProviderConfig, token: string, group: BackingGroup, person: BackingPerson): Promise<boolean>;
}

/** A fresh state and PKCE verifier for one authorization. */
export function newAuthorizationSecrets(): { state: string; verifier: string } {
  return { state: crypto.randomBytes(24).toString("base64url"), verifier: crypto.randomBytes(32).toString("base64url") };
}

/**
 * An OAuth authorization code URL asking for `scope` only, with the flow's state and a PKCE S256
 * challenge of its verifier (the providers that support PKCE: GitHub and GitLab).
 */
export function pkceAuthorizeUrl(endpoint: string, params: { clientId: string; redirectUri: string; scope: string; state: string; verifier: string }): string {
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    response_type: "code",
    scope: params.scope,
    state: params.state,
    code_challenge: crypto.createHash("sha256").update(params.verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

/** The rel="next" URL of a Link header, or undefined. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * How long one provider request may take. A provider that hangs must not hold a sign-in, a page,
 * or (during a token refresh) the backing row's lock: a timeout is an error like any other, so
 * nobody is removed and nothing is marked broken on it.
 */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * A GET to a provider's API with the bearer token. Only `apiBase`'s origin ever sees the token,
 * whatever a Link header or a `next` field points at; a 401 throws BackingTokenRejected.
 */
export async function apiGet(provider: string, apiBase: string, token: string, url: string, headers: Record<string, string> = {}): Promise<Response> {
  if (new URL(url).origin !== new URL(apiBase).origin) throw new Error(`${provider} pointed outside its API`);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json", "user-agent": "Gatehouse", ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (res.status === 401) throw new BackingTokenRejected(provider);
  return res;
}

/** Pages of a list cannot run for ever: 100 pages of 100 is more than any group we back. */
const MAX_PAGES = 100;

/** Reads every page of a list, `readPage` giving each page's items and the next page's URL. */
export async function readAllPages(provider: string, first: string, readPage: (url: string) => Promise<{ items: unknown[]; next: string | undefined }>): Promise<unknown[]> {
  const out: unknown[] = [];
  let url: string | undefined = first;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const { items, next } = await readPage(url);
    out.push(...items);
    url = next;
  }
  if (url) throw new Error(`${provider}'s list has more pages than we read`);
  return out;
}

/**
 * A request to an OAuth token endpoint (authorization code or refresh grant). Undefined when the
 * provider refuses the grant (an error answer, or no token in it); a network or server error
 * throws, so an outage is never read as "refused" and never marks a backing broken.
 */
export async function tokenRequest(provider: string, url: string, body: Record<string, string>, opts: { basic?: { id: string; secret: string }; scopesField?: "scope" | "scopes" } = {}): Promise<BackingGrant | undefined> {
  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/x-www-form-urlencoded", "user-agent": "Gatehouse" };
  if (opts.basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(opts.basic.id)}:${encodeURIComponent(opts.basic.secret)}`).toString("base64")}`;
  const res = await fetch(url, { method: "POST", headers, body: new URLSearchParams(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (res.status >= 500) throw new Error(`${provider}'s token endpoint answered ${res.status}`);
  const answer = (await res.json().catch(() => ({}))) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; scope?: unknown; scopes?: unknown; error?: unknown };
  // RFC 6749 §5.2: a refused grant is a 400 (401 for client authentication) with an error code.
  if (!res.ok && typeof answer.error !== "string") throw new Error(`${provider}'s token endpoint answered ${res.status}`);
  if (typeof answer.access_token !== "string" || answer.access_token === "") return undefined;
  const scopeText = answer[opts.scopesField ?? "scope"];
  return {
    token: answer.access_token,
    refreshToken: typeof answer.refresh_token === "string" && answer.refresh_token !== "" ? answer.refresh_token : null,
    expiresAt: typeof answer.expires_in === "number" && answer.expires_in > 0 ? new Date(Date.now() + answer.expires_in * 1000) : null,
    scopes: typeof scopeText === "string" ? scopeText.split(/[ ,]+/).filter(Boolean) : [],
  };
}
