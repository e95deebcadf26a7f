import crypto from "node:crypto";
import type { ProviderConfig } from "../../config";

/**
 * GitHub's organization APIs for organization backing, and the separate OAuth authorization that
 * asks for `read:org` (sign-in never asks for it: most people never back an organization, and a
 * sign-in token is dropped anyway). The endpoints are GitHub's documented REST API:
 * GET /user/memberships/orgs (the viewer's memberships, with their role), GET /orgs/{org}/members
 * (paginated with Link headers) and GET /orgs/{org}/memberships/{username}.
 */

const DEFAULT_URL = "https://github.com";
const DEFAULT_API_URL = "https://api.github.com";

/** The provider refused the stored token (HTTP 401): it was revoked or the owner lost access. */
export class GitHubTokenRejected extends Error {
  constructor() {
    super("GitHub refused the token");
  }
}

/** A GitHub organization as backing stores it. */
export interface GitHubOrg {
  id: string;
  login: string;
}

function webUrl(config: ProviderConfig): string {
  return config.urls.GITHUB_URL ?? DEFAULT_URL;
}

function apiUrl(config: ProviderConfig): string {
  return config.urls.GITHUB_API_URL ?? (config.urls.GITHUB_URL ? `${config.urls.GITHUB_URL}/api/v3` : DEFAULT_API_URL);
}

/** A fresh state and PKCE verifier for one authorization, and the challenge sent with it. */
export function newAuthorizationSecrets(): { state: string; verifier: string } {
  return { state: crypto.randomBytes(24).toString("base64url"), verifier: crypto.randomBytes(32).toString("base64url") };
}

/** The GitHub authorize URL asking for read:org only, with state and a PKCE S256 challenge. */
export function backingAuthorizeUrl(config: ProviderConfig, redirectUri: string, state: string, verifier: string): string {
  const url = new URL(`${webUrl(config)}/login/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: redirectUri,
    scope: "read:org",
    state,
    code_challenge: crypto.createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    response_type: "code",
  }).toString();
  return url.toString();
}

/** Exchanges an authorization code for a token; undefined when GitHub refuses the code. */
export async function exchangeBackingCode(config: ProviderConfig, redirectUri: string, code: string, verifier: string): Promise<{ token: string; scopes: string[] } | undefined> {
  const res = await fetch(`${webUrl(config)}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded", "user-agent": "Gatehouse" },
    body: new URLSearchParams({ client_id: config.clientId, client_secret: config.clientSecret, code, redirect_uri: redirectUri, code_verifier: verifier, grant_type: "authorization_code" }),
  });
  if (!res.ok) throw new Error(`GitHub's token endpoint answered ${res.status}`);
  const body = (await res.json()) as { access_token?: unknown; scope?: unknown };
  if (typeof body.access_token !== "string" || body.access_token === "") return undefined;
  const scopes = typeof body.scope === "string" ? body.scope.split(/[ ,]+/).filter(Boolean) : [];
  return { token: body.access_token, scopes };
}

async function call(config: ProviderConfig, token: string, url: string): Promise<Response> {
  // Only the configured API origin ever sees the token, whatever a Link header points at.
  if (new URL(url).origin !== new URL(apiUrl(config)).origin) throw new Error("GitHub pointed outside its API");
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "Gatehouse", "x-github-api-version": "2022-11-28" } });
  if (res.status === 401) throw new GitHubTokenRejected();
  return res;
}

async function json(config: ProviderConfig, token: string, url: string): Promise<{ body: unknown; next: string | undefined }> {
  const res = await call(config, token, url);
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
  return { body: await res.json(), next: nextLink(res.headers.get("link")) };
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

/** Pages of a list cannot run for ever: 100 pages of 100 is more than any organization we back. */
const MAX_PAGES = 100;

async function listAll(config: ProviderConfig, token: string, first: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let url: string | undefined = first;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const { body, next } = await json(config, token, url);
    if (!Array.isArray(body)) throw new Error("GitHub answered a list that is not one");
    out.push(...body);
    url = next;
  }
  if (url) throw new Error("GitHub's list has more pages than we read");
  return out;
}

/** The token's GitHub account (GET /user): its numeric id as a string, and its login. */
export async function fetchGitHubAccount(config: ProviderConfig, token: string): Promise<{ id: string; login: string }> {
  const { body } = await json(config, token, `${apiUrl(config)}/user`);
  const user = body as { id?: unknown; login?: unknown };
  if (typeof user.id !== "number" || typeof user.login !== "string") throw new Error("GitHub's /user lacks id or login");
  return { id: String(user.id), login: user.login };
}

/** The GitHub organizations the token's person administers (active memberships with role admin). */
export async function listAdministeredGitHubOrgs(config: ProviderConfig, token: string): Promise<GitHubOrg[]> {
  const rows = (await listAll(config, token, `${apiUrl(config)}/user/memberships/orgs?state=active&per_page=100`)) as { state?: string; role?: string; organization?: { id?: unknown; login?: unknown } }[];
  return rows
    .filter((m) => m.state === "active" && m.role === "admin" && typeof m.organization?.id === "number" && typeof m.organization.login === "string")
    .map((m) => ({ id: String(m.organization!.id), login: String(m.organization!.login) }));
}

/** The numeric ids (as strings) of every member of a GitHub organization the token can see. */
export async function listGitHubOrgMemberIds(config: ProviderConfig, token: string, orgLogin: string): Promise<Set<string>> {
  const rows = (await listAll(config, token, `${apiUrl(config)}/orgs/${encodeURIComponent(orgLogin)}/members?per_page=100`)) as { id?: unknown }[];
  const ids = new Set<string>();
  for (const r of rows) {
    if (typeof r.id !== "number") throw new Error("GitHub listed a member without an id");
    ids.add(String(r.id));
  }
  return ids;
}

/**
 * Whether `username` is an active member of the GitHub organization (GET /orgs/{org}/memberships/{username}):
 * true for an active membership, false for 404 (not a member) or a pending invitation; any other
 * answer throws, so a provider error is never read as "left".
 */
export async function isGitHubOrgMember(config: ProviderConfig, token: string, orgLogin: string, username: string): Promise<boolean> {
  const res = await call(config, token, `${apiUrl(config)}/orgs/${encodeURIComponent(orgLogin)}/memberships/${encodeURIComponent(username)}`);
  if (res.status === 404) return false;
  if (!res.ok) throw new Error(`GitHub's membership check answered ${res.status}`);
  const body = (await res.json()) as { state?: unknown };
  return body.state === "active";
}
