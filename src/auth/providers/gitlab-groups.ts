import type { ProviderConfig } from "../../config";
import { apiGet, nextLink, pkceAuthorizeUrl, readAllPages, tokenRequest, type BackingAdapter, type BackingGroup } from "./backing-api";

/**
 * GitLab groups for organization backing, on GitLab.com or a self-managed GitLab (GITLAB_URL),
 * with a separate authorization that asks for `read_api` (sign-in asks for `read_user` only).
 * GitLab's documented REST API v4: GET /groups?min_access_level=50 (the groups the person owns),
 * GET /groups/:id/members/all (members, inherited ones included) and
 * GET /groups/:id/members/all/:user_id (404: not a member); lists are paginated with Link headers
 * (and x-next-page). GitLab's OAuth tokens expire after two hours and come with a refresh token,
 * which GitLab replaces at every refresh (src/services/org-backing-token.ts keeps the new one).
 */

const DEFAULT_URL = "https://gitlab.com";
/** GitLab's Owner access level: only a group's owners may back an organization with it. */
const OWNER = 50;

function baseUrl(config: ProviderConfig): string {
  return config.urls.GITLAB_URL ?? DEFAULT_URL;
}

function apiUrl(config: ProviderConfig): string {
  return `${baseUrl(config)}/api/v4`;
}

async function call(config: ProviderConfig, token: string, url: string): Promise<Response> {
  return apiGet("GitLab", apiUrl(config), token, url);
}

/** The next page's URL: the Link header's rel="next", else x-next-page on the same URL (empty on the last page). */
function nextPage(url: string, res: Response): string | undefined {
  const link = nextLink(res.headers.get("link"));
  if (link) return link;
  const page = res.headers.get("x-next-page");
  if (!page || !/^\d+$/.test(page)) return undefined;
  const next = new URL(url);
  next.searchParams.set("page", page);
  return next.toString();
}

async function listAll(config: ProviderConfig, token: string, first: string): Promise<unknown[]> {
  return readAllPages("GitLab", first, async (url) => {
    const res = await call(config, token, url);
    if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body)) throw new Error("GitLab answered a list that is not one");
    return { items: body, next: nextPage(url, res) };
  });
}

/**
 * Whether a member entry is a member yet: GitLab lists people waiting for an administrator's
 * approval (state "awaiting") beside the others; like a pending GitHub invitation, they are not.
 */
const counts = (m: { state?: unknown }) => m.state !== "awaiting";

/** GitLab groups as backing groups: members matched by GitLab's numeric user id (the GitLab identity's id). */
export const gitlabBacking: BackingAdapter = {
  name: "gitlab",
  label: "GitLab",
  groupNoun: "GitLab group",
  eventKey: "gitlab_group",
  identityProvider: "gitlab",
  identityLabel: "GitLab",
  scope: "read_api",
  config: (config) => config.providers.gitlab,

  authorizationOrigin: (config) => new URL(baseUrl(config)).origin,

  authorizeUrl(config, redirectUri, state, verifier) {
    return pkceAuthorizeUrl(`${baseUrl(config)}/oauth/authorize`, { clientId: config.clientId, redirectUri, scope: "read_api", state, verifier });
  },

  exchangeCode(config, redirectUri, code, verifier) {
    return tokenRequest("GitLab", `${baseUrl(config)}/oauth/token`, {
      client_id: config.clientId, client_secret: config.clientSecret, code, grant_type: "authorization_code", redirect_uri: redirectUri, code_verifier: verifier,
    });
  },

  /** GitLab's refresh grant (POST /oauth/token, grant_type=refresh_token); the answer carries a new refresh token. */
  refresh(config, redirectUri, refreshToken) {
    return tokenRequest("GitLab", `${baseUrl(config)}/oauth/token`, {
      client_id: config.clientId, client_secret: config.clientSecret, refresh_token: refreshToken, grant_type: "refresh_token", redirect_uri: redirectUri,
    });
  },

  async fetchAccount(config, token) {
    const res = await call(config, token, `${apiUrl(config)}/user`);
    if (!res.ok) throw new Error(`GitLab's /user answered ${res.status}`);
    const user = (await res.json()) as { id?: unknown; username?: unknown };
    if (typeof user.id !== "number" || typeof user.username !== "string") throw new Error("GitLab's /user lacks id or username");
    return { id: String(user.id), login: user.username };
  },

  async listAdministered(config, token): Promise<BackingGroup[]> {
    const rows = (await listAll(config, token, `${apiUrl(config)}/groups?min_access_level=${OWNER}&per_page=100`)) as { id?: unknown; full_path?: unknown }[];
    return rows.filter((g) => typeof g.id === "number" && typeof g.full_path === "string").map((g) => ({ id: String(g.id), login: String(g.full_path) }));
  },

  async listMemberIds(config, token, group) {
    const rows = (await listAll(config, token, `${apiUrl(config)}/groups/${encodeURIComponent(group.id)}/members/all?per_page=100`)) as { id?: unknown; state?: unknown }[];
    const ids = new Set<string>();
    for (const r of rows) {
      if (typeof r.id !== "number") throw new Error("GitLab listed a member without an id");
      if (counts(r)) ids.add(String(r.id));
    }
    return ids;
  },

  /** GET /groups/:id/members/all/:user_id, by the GitLab user id the sign-in returned; 404 is "not a member". */
  async isMember(config, token, group, person) {
    const res = await call(config, token, `${apiUrl(config)}/groups/${encodeURIComponent(group.id)}/members/all/${encodeURIComponent(person.id)}`);
    if (res.status === 404) return false;
    if (!res.ok) throw new Error(`GitLab's membership check answered ${res.status}`);
    const body = (await res.json()) as { id?: unknown; state?: unknown };
    if (body.id !== Number(person.id)) throw new Error("GitLab answered the membership of someone else");
    return counts(body);
  },
};
