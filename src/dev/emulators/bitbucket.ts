import type { Request, Response } from "express";
import { atlassianAccountId } from "./atlassian";
import { stableId, type ProviderFlavour, type UserApiHelpers } from "./oauth-server";

/**
 * Bitbucket Cloud (bitbucket.org and api.bitbucket.org on one local base URL): its OAuth 2.0
 * consumer and the API 2.0 documents backing reads. People are Atlassian accounts: `account_id` is
 * the id the Atlassian emulator gives the same account name.
 */

/** A workspace's UUID in Bitbucket's braced form, derived from its slug. */
const workspaceUuid = (slug: string) => {
  const hex = stableId("bitbucket", `workspace:${slug}`);
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}}`;
};
const userUuid = (login: string) => {
  const hex = stableId("bitbucket", login);
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}}`;
};

/** The caller, when its token carries the account scope (workspace membership needs it); else 403 as Bitbucket answers. */
function withAccount(api: UserApiHelpers, req: Request, res: Response) {
  const who = api.personFor(req, res);
  if (!who) return undefined;
  if (!who.scopes.includes("account")) {
    res.status(403).json({ type: "error", error: { message: "Your credentials lack one or more required privilege scopes.", detail: { required: ["account"], granted: who.scopes } } });
    return undefined;
  }
  return who;
}

/** One page in Bitbucket's paged shape: pagelen, page, size, values and `next` while there are more. */
function sendPage<T>(req: Request, res: Response, api: UserApiHelpers, all: T[]) {
  const pagelen = Math.min(Number(req.query.pagelen) || 10, 100, api.pageSize());
  const page = Math.max(Number(req.query.page) || 1, 1);
  const body: Record<string, unknown> = { pagelen, page, size: all.length, values: all.slice((page - 1) * pagelen, page * pagelen) };
  if (page * pagelen < all.length) {
    const next = new URL(`${req.protocol}://${req.get("host")}${req.originalUrl}`);
    next.searchParams.set("page", String(page + 1));
    body.next = next.toString();
  }
  res.json(body);
}

const userJson = (login: string) => ({ type: "user", account_id: atlassianAccountId(login), uuid: userUuid(login), nickname: login, display_name: login, links: {} });
const workspaceJson = (slug: string) => ({ type: "workspace", uuid: workspaceUuid(slug), slug, name: slug, links: { html: { href: `https://bitbucket.org/${slug}/` } } });

/** Bitbucket Cloud. */
export const bitbucketFlavour: ProviderFlavour = {
  provider: "bitbucket",
  label: "Bitbucket",
  authorizePath: "/site/oauth2/authorize",
  tokenPath: "/site/oauth2/access_token",
  // Two-hour tokens with a refresh token; the granted scopes are the consumer's permissions, answered as `scopes`.
  expiringTokens: 7200,
  scopesField: "scopes",
  defaultScope: "account",
  config: (url, clientId, clientSecret) => ({ clientId, clientSecret, urls: { BITBUCKET_URL: url, BITBUCKET_API_URL: url } }),
  userApi(router, api) {
    router.get("/2.0/user", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      res.json({ ...userJson(who.person.login), display_name: who.person.name || who.person.login, account_status: "active", created_on: "2021-01-01T00:00:00+00:00" });
    });
    const find = (key: string) => [...api.orgs.entries()].find(([slug]) => slug === key || workspaceUuid(slug) === key);
    const roleOf = (members: Record<string, "admin" | "member">, login: string) => Object.entries(members).find(([m]) => m.toLowerCase() === login.toLowerCase())?.[1];
    // GET /2.0/user/workspaces: the caller's workspaces, each with whether the caller administers it.
    router.get("/2.0/user/workspaces", (req, res) => {
      const who = withAccount(api, req, res);
      if (!who) return;
      const rows = [...api.orgs.entries()].flatMap(([slug, w]) => {
        const role = roleOf(w.members, who.person.login);
        return role ? [{ type: "workspace_access", administrator: role === "admin", workspace: workspaceJson(slug), links: {} }] : [];
      });
      sendPage(req, res, api, rows);
    });
    const workspaceFor = (req: Request, res: Response, login: string) => {
      const entry = find(String(req.params.workspace));
      if (!entry || !roleOf(entry[1].members, login)) {
        res.status(404).json({ type: "error", error: { message: "No workspace with identifier '" + String(req.params.workspace) + "'." } });
        return undefined;
      }
      return entry;
    };
    const membershipJson = (slug: string, login: string) => ({ type: "workspace_membership", user: userJson(login), workspace: workspaceJson(slug), links: {} });
    // GET /2.0/workspaces/{workspace}/members: the workspace's members, paged.
    router.get("/2.0/workspaces/:workspace/members", (req, res) => {
      const who = withAccount(api, req, res);
      if (!who) return;
      const entry = workspaceFor(req, res, who.person.login);
      if (!entry) return;
      sendPage(req, res, api, Object.keys(entry[1].members).map((m) => membershipJson(entry[0], m)));
    });
    // GET /2.0/workspaces/{workspace}/members/{member}: by account_id or UUID; 404 when not a member.
    router.get("/2.0/workspaces/:workspace/members/:member", (req, res) => {
      const who = withAccount(api, req, res);
      if (!who) return;
      const entry = workspaceFor(req, res, who.person.login);
      if (!entry) return;
      const key = String(req.params.member);
      const login = Object.keys(entry[1].members).find((m) => atlassianAccountId(m) === key || userUuid(m) === key);
      if (!login) return res.status(404).json({ type: "error", error: { message: `${key} is not a member of ${entry[0]}` } });
      res.json(membershipJson(entry[0], login));
    });
  },
};
