import type { ProviderConfig } from "../../config";
import { apiGet, nextLink, pkceAuthorizeUrl, readAllPages, tokenRequest, type BackingAdapter, type BackingGroup } from "./backing-api";

/**
 * GitHub's organization APIs for organization backing, and the separate OAuth authorization that
 * asks for `read:org` (sign-in never asks for it: most people never back an organization, and a
 * sign-in token is dropped anyway). The endpoints are GitHub's documented REST API:
 * GET /user/memberships/orgs (the viewer's memberships, with their role), GET /orgs/{org}/members
 * (paginated with Link headers) and GET /orgs/{org}/memberships/{username}. OAuth app tokens do
 * not expire, so there is nothing to refresh.
 */

const DEFAULT_URL = "https://github.com";
const DEFAULT_API_URL = "https://api.github.com";

function webUrl(config: ProviderConfig): string {
  return config.urls.GITHUB_URL ?? DEFAULT_URL;
}

function apiUrl(config: ProviderConfig): string {
  return config.urls.GITHUB_API_URL ?? (config.urls.GITHUB_URL ? `${config.urls.GITHUB_URL}/api/v3` : DEFAULT_API_URL);
}

const GITHUB_HEADERS = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };

async function call(config: ProviderConfig, token: string, url: string): Promise<Response> {
  return apiGet("GitHub", apiUrl(config), token, url, GITHUB_HEADERS);
}

async function json(config: ProviderConfig, token: string, url: string): Promise<{ body: unknown; next: string | undefined }> {
  const res = await call(config, token, url);
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
  return { body: await res.json(), next: nextLink(res.headers.get("link")) };
}

async function listAll(config: ProviderConfig, token: string, first: string): Promise<unknown[]> {
  return readAllPages("GitHub", first, async (url) => {
    const { body, next } = await json(config, token, url);
    if (!Array.isArray(body)) throw new Error("GitHub answered a list that is not one");
    return { items: body, next };
  });
}

/** GitHub organizations as backing groups: members matched by GitHub's numeric user id. */
export const githubBacking: BackingAdapter = {
  name: "github",
  label: "GitHub",
  groupNoun: "GitHub organization",
  eventKey: "github_organization",
  identityProvider: "github",
  identityLabel: "GitHub",
  scope: "read:org",
  config: (config) => config.providers.github,

  authorizationOrigin: (config) => new URL(webUrl(config)).origin,

  authorizeUrl(config, redirectUri, state, verifier) {
    return pkceAuthorizeUrl(`${webUrl(config)}/login/oauth/authorize`, { clientId: config.clientId, redirectUri, scope: "read:org", state, verifier });
  },

  async exchangeCode(config, redirectUri, code, verifier) {
    const grant = await tokenRequest("GitHub", `${webUrl(config)}/login/oauth/access_token`, {
      client_id: config.clientId, client_secret: config.clientSecret, code, redirect_uri: redirectUri, code_verifier: verifier, grant_type: "authorization_code",
    });
    // An OAuth app's token lives until it is revoked; what GitHub Apps would add is not used here.
    return grant && { ...grant, refreshToken: null, expiresAt: null };
  },

  async fetchAccount(config, token) {
    const { body } = await json(config, token, `${apiUrl(config)}/user`);
    const user = body as { id?: unknown; login?: unknown };
    if (typeof user.id !== "number" || typeof user.login !== "string") throw new Error("GitHub's /user lacks id or login");
    return { id: String(user.id), login: user.login };
  },

  /** Active memberships with role admin. */
  async listAdministered(config, token): Promise<BackingGroup[]> {
    const rows = (await listAll(config, token, `${apiUrl(config)}/user/memberships/orgs?state=active&per_page=100`)) as { state?: string; role?: string; organization?: { id?: unknown; login?: unknown } }[];
    return rows
      .filter((m) => m.state === "active" && m.role === "admin" && typeof m.organization?.id === "number" && typeof m.organization.login === "string")
      .map((m) => ({ id: String(m.organization!.id), login: String(m.organization!.login) }));
  },

  async listMemberIds(config, token, group) {
    const rows = (await listAll(config, token, `${apiUrl(config)}/orgs/${encodeURIComponent(group.login)}/members?per_page=100`)) as { id?: unknown }[];
    const ids = new Set<string>();
    for (const r of rows) {
      if (typeof r.id !== "number") throw new Error("GitHub listed a member without an id");
      ids.add(String(r.id));
    }
    return ids;
  },

  /**
   * GET /orgs/{org}/memberships/{username}: true for an active membership of this very account,
   * false for 404 (not a member) or a pending invitation. GitHub asks by login, which people can
   * change and others can then take, and an invitation asks by the login stored at the person's
   * last sign-in; so the answer counts only when the membership's user has the person's immutable id.
   * Otherwise the login now belongs to someone else, and this person is not known to be a member.
   */
  async isMember(config, token, group, person) {
    const res = await call(config, token, `${apiUrl(config)}/orgs/${encodeURIComponent(group.login)}/memberships/${encodeURIComponent(person.username)}`);
    if (res.status === 404) return false;
    if (!res.ok) throw new Error(`GitHub's membership check answered ${res.status}`);
    const body = (await res.json()) as { state?: unknown; user?: { id?: unknown } };
    return body.state === "active" && String(body.user?.id) === person.id;
  },
};
