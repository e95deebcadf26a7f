import type { ProviderConfig } from "../../config";
import { apiGet, readAllPages, tokenRequest, type BackingAdapter, type BackingGroup } from "./backing-api";

/**
 * Bitbucket Cloud workspaces for organization backing. Bitbucket has its own OAuth 2.0 consumer
 * (BITBUCKET_CLIENT_ID, BITBUCKET_CLIENT_SECRET): authorize at /site/oauth2/authorize, token at
 * /site/oauth2/access_token with the consumer's key and secret as HTTP Basic credentials. Its
 * scopes are the permissions ticked on the consumer, not asked for in the request; the token
 * answer lists them in `scopes`, and `account` (which reads workspace membership) must be among
 * them. Bitbucket documents no PKCE, so the session-bound state is what binds the answer to the
 * browser. Tokens expire after two hours and are renewed with the refresh token.
 *
 * Bitbucket people are Atlassian accounts: API 2.0's `account_id` is the Atlassian account id that
 * Atlassian sign-in keys identities by, so members are matched to people who linked Atlassian.
 * Endpoints: GET /2.0/user, GET /2.0/user/workspaces (the caller's workspaces, with `administrator`;
 * the older /2.0/workspaces and /2.0/user/permissions/workspaces are deprecated),
 * GET /2.0/workspaces/{workspace}/members and GET /2.0/workspaces/{workspace}/members/{member}
 * (404: not a member); lists are pages of `values` with the next page's URL in `next`. A workspace
 * is addressed by its UUID, which survives a rename of its slug.
 */

const DEFAULT_URL = "https://bitbucket.org";
const DEFAULT_API_URL = "https://api.bitbucket.org";

function webUrl(config: ProviderConfig): string {
  return config.urls.BITBUCKET_URL ?? DEFAULT_URL;
}

function apiUrl(config: ProviderConfig): string {
  return `${config.urls.BITBUCKET_API_URL ?? DEFAULT_API_URL}/2.0`;
}

async function call(config: ProviderConfig, token: string, url: string): Promise<Response> {
  return apiGet("Bitbucket", apiUrl(config), token, url);
}

async function listAll(config: ProviderConfig, token: string, first: string): Promise<unknown[]> {
  return readAllPages("Bitbucket", first, async (url) => {
    const res = await call(config, token, url);
    if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
    const body = (await res.json()) as { values?: unknown; next?: unknown };
    if (!Array.isArray(body.values)) throw new Error("Bitbucket answered a page without values");
    return { items: body.values, next: typeof body.next === "string" ? body.next : undefined };
  });
}

const workspacePath = (config: ProviderConfig, group: BackingGroup) => `${apiUrl(config)}/workspaces/${encodeURIComponent(group.id)}`;

/** Bitbucket workspaces as backing groups: members matched by Atlassian account id to people who linked Atlassian. */
export const bitbucketBacking: BackingAdapter = {
  name: "bitbucket",
  label: "Bitbucket",
  groupNoun: "Bitbucket workspace",
  eventKey: "bitbucket_workspace",
  identityProvider: "atlassian",
  identityLabel: "Atlassian",
  scope: "account",
  // Without Atlassian sign-in nobody could be matched, so Bitbucket is offered only beside it.
  config: (config) => (config.providers.atlassian ? config.backingProviders.bitbucket : undefined),

  authorizationOrigin: (config) => new URL(webUrl(config)).origin,

  authorizeUrl(config, redirectUri, state) {
    const url = new URL(`${webUrl(config)}/site/oauth2/authorize`);
    url.search = new URLSearchParams({ client_id: config.clientId, response_type: "code", redirect_uri: redirectUri, state }).toString();
    return url.toString();
  },

  exchangeCode(config, redirectUri, code) {
    return tokenRequest("Bitbucket", `${webUrl(config)}/site/oauth2/access_token`, { grant_type: "authorization_code", code, redirect_uri: redirectUri }, { basic: { id: config.clientId, secret: config.clientSecret }, scopesField: "scopes" });
  },

  refresh(config, _redirectUri, refreshToken) {
    return tokenRequest("Bitbucket", `${webUrl(config)}/site/oauth2/access_token`, { grant_type: "refresh_token", refresh_token: refreshToken }, { basic: { id: config.clientId, secret: config.clientSecret }, scopesField: "scopes" });
  },

  async fetchAccount(config, token) {
    const res = await call(config, token, `${apiUrl(config)}/user`);
    if (!res.ok) throw new Error(`Bitbucket's /user answered ${res.status}`);
    const user = (await res.json()) as { account_id?: unknown; nickname?: unknown; display_name?: unknown };
    if (typeof user.account_id !== "string" || user.account_id === "") throw new Error("Bitbucket's /user lacks account_id");
    return { id: user.account_id, login: typeof user.nickname === "string" ? user.nickname : String(user.display_name ?? user.account_id) };
  },

  async listAdministered(config, token): Promise<BackingGroup[]> {
    const rows = (await listAll(config, token, `${apiUrl(config)}/user/workspaces?pagelen=100`)) as { administrator?: unknown; workspace?: { uuid?: unknown; slug?: unknown } }[];
    return rows
      .filter((r) => r.administrator === true && typeof r.workspace?.uuid === "string" && typeof r.workspace.slug === "string")
      .map((r) => ({ id: String(r.workspace!.uuid), login: String(r.workspace!.slug) }));
  },

  async listMemberIds(config, token, group) {
    const rows = (await listAll(config, token, `${workspacePath(config, group)}/members?pagelen=100`)) as { user?: { account_id?: unknown } }[];
    const ids = new Set<string>();
    for (const r of rows) {
      if (typeof r.user?.account_id !== "string") throw new Error("Bitbucket listed a member without an account_id");
      ids.add(r.user.account_id);
    }
    return ids;
  },

  /** GET /2.0/workspaces/{workspace}/members/{account_id}, by the Atlassian account id the sign-in returned; 404 is "not a member". */
  async isMember(config, token, group, person) {
    const res = await call(config, token, `${workspacePath(config, group)}/members/${encodeURIComponent(person.id)}`);
    if (res.status === 404) return false;
    if (!res.ok) throw new Error(`Bitbucket's membership check answered ${res.status}`);
    const body = (await res.json()) as { user?: { account_id?: unknown } };
    if (body.user?.account_id !== person.id) throw new Error("Bitbucket answered the membership of someone else");
    return true;
  },
};
