import type { Request, Response } from "express";
import type { ProviderFlavour, UserApiHelpers } from "./oauth-server";

const numericId = (hex: string) => Number.parseInt(hex.slice(0, 8), 16) % 100_000_000;

/** The caller, when its token carries read:org (GitHub's org endpoints need it); else answered 403 (GitHub's "Resource not accessible"). */
function withReadOrg(api: UserApiHelpers, req: Request, res: Response) {
  const who = api.personFor(req, res);
  if (!who) return undefined;
  if (!who.scopes.includes("read:org") && !who.scopes.includes("admin:org")) {
    res.status(403).json({ message: "Resource not accessible by integration" });
    return undefined;
  }
  return who;
}

/** One page of a list, with GitHub's Link header (rel="next" and "last") when there are more. */
function sendPage<T>(req: Request, res: Response, api: UserApiHelpers, all: T[]) {
  const perPage = Math.min(Number(req.query.per_page) || 30, 100, api.pageSize());
  const page = Math.max(Number(req.query.page) || 1, 1);
  const last = Math.max(Math.ceil(all.length / perPage), 1);
  const at = (n: number) => {
    const url = new URL(`${req.protocol}://${req.get("host")}${req.originalUrl}`);
    url.searchParams.set("page", String(n));
    url.searchParams.set("per_page", String(perPage));
    return url.toString();
  };
  if (page < last) res.set("link", `<${at(page + 1)}>; rel="next", <${at(last)}>; rel="last"`);
  res.json(all.slice((page - 1) * perPage, page * perPage));
}

function orgJson(login: string, id: number) {
  return { login, id, node_id: `O_kgDO${id}`, url: `https://api.github.com/orgs/${login}`, description: null };
}

/** GitHub (as GitHub Enterprise Server: web on the base URL, REST API under /api/v3). */
export const githubFlavour: ProviderFlavour = {
  provider: "github",
  label: "GitHub",
  authorizePath: "/login/oauth/authorize",
  tokenPath: "/login/oauth/access_token",
  formEncodedTokenByDefault: true,
  tokenErrorStatus: 200,
  config: (url, clientId, clientSecret) => ({ clientId, clientSecret, urls: { GITHUB_URL: url, GITHUB_API_URL: `${url}/api/v3` } }),
  userApi(router, api) {
    router.get("/api/v3/user", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      const id = numericId(who.id);
      res.json({
        login: who.person.login,
        id,
        node_id: `U_kgDO${id}`,
        // GitHub Enterprise Server's shape: pictures on the server's own host.
        avatar_url: api.avatarUrl(`/avatars/u/${id}?v=4`),
        html_url: `https://github.com/${who.person.login}`,
        type: "User",
        site_admin: false,
        name: who.person.name || null,
        company: null,
        blog: "",
        location: null,
        // The public profile email: often null, and never a statement about verification.
        email: null,
        bio: null,
        public_repos: 3,
        followers: 0,
        following: 0,
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
      });
    });
    router.get("/avatars/u/:id", api.sendAvatar);
    router.get("/api/v3/user/emails", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      const noreply = { email: `${numericId(who.id)}+${who.person.login}@users.noreply.github.com`, primary: false, verified: true, visibility: null };
      if (!who.person.email) return res.json([{ ...noreply, primary: true }]);
      res.json([{ email: who.person.email, primary: true, verified: who.person.emailVerified, visibility: "private" }, noreply]);
    });
    router.get("/api/v3/user/orgs", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      const id = numericId(who.id) + 1;
      res.json([orgJson(`${who.person.login}-org`, id)]);
    });
    // GET /user/memberships/orgs: the caller's organization memberships with their role (read:org).
    router.get("/api/v3/user/memberships/orgs", (req, res) => {
      const who = withReadOrg(api, req, res);
      if (!who) return;
      const login = who.person.login.toLowerCase();
      const rows = [...api.orgs.entries()].flatMap(([orgLogin, org]) => {
        const role = Object.entries(org.members).find(([m]) => m.toLowerCase() === login)?.[1];
        return role ? [{ url: `https://api.github.com/orgs/${orgLogin}/memberships/${who.person.login}`, state: "active", role, organization: orgJson(orgLogin, org.id), user: { login: who.person.login, id: numericId(who.id) } }] : [];
      });
      if (req.query.state === "pending") return sendPage(req, res, api, []);
      sendPage(req, res, api, rows);
    });
    // GET /orgs/{org}/members: the organization's members, paginated; only members may list them.
    router.get("/api/v3/orgs/:org/members", (req, res) => {
      const who = withReadOrg(api, req, res);
      if (!who) return;
      const org = api.orgs.get(String(req.params.org));
      if (!org || !Object.keys(org.members).some((m) => m.toLowerCase() === who.person.login.toLowerCase())) return res.status(404).json({ message: "Not Found" });
      sendPage(req, res, api, Object.keys(org.members).map((m) => ({ login: m, id: numericId(api.idFor(m)), type: "User", site_admin: false })));
    });
    // GET /orgs/{org}/memberships/{username}: one person's membership (404 when they are not a member).
    router.get("/api/v3/orgs/:org/memberships/:username", (req, res) => {
      const who = withReadOrg(api, req, res);
      if (!who) return;
      const org = api.orgs.get(String(req.params.org));
      if (!org || !Object.keys(org.members).some((m) => m.toLowerCase() === who.person.login.toLowerCase())) return res.status(404).json({ message: "Not Found" });
      const entry = Object.entries(org.members).find(([m]) => m.toLowerCase() === String(req.params.username).toLowerCase());
      if (!entry) return res.status(404).json({ message: "Not Found" });
      res.json({ state: "active", role: entry[1], organization: orgJson(String(req.params.org), org.id), user: { login: entry[0], id: numericId(api.idFor(entry[0])) } });
    });
  },
};
