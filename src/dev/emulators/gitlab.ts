import type { Request, Response } from "express";
import type { ProviderFlavour, UserApiHelpers } from "./oauth-server";

/** The GitLab user id the emulator gives an account (from the stable hex id of its name). */
const userId = (hex: string) => Number.parseInt(hex.slice(0, 7), 16);

/** GitLab's access levels for the emulator's roles: a group Owner (50) or a Developer (30). */
const accessLevel = (role: "admin" | "member") => (role === "admin" ? 50 : 30);

/** The caller, when its token carries read_api (GitLab's group APIs need it, or api); else answered 403 insufficient_scope. */
function withReadApi(api: UserApiHelpers, req: Request, res: Response) {
  const who = api.personFor(req, res);
  if (!who) return undefined;
  if (!who.scopes.includes("read_api") && !who.scopes.includes("api")) {
    res.status(403).json({ error: "insufficient_scope", error_description: "The request requires higher privileges than provided by the access token.", scope: "api read_api" });
    return undefined;
  }
  return who;
}

/** One page of a list with GitLab's pagination headers: Link (next, first, last) and x-page, x-next-page, x-total. */
function sendPage<T>(req: Request, res: Response, api: UserApiHelpers, all: T[]) {
  const perPage = Math.min(Number(req.query.per_page) || 20, 100, api.pageSize());
  const page = Math.max(Number(req.query.page) || 1, 1);
  const last = Math.max(Math.ceil(all.length / perPage), 1);
  const at = (n: number) => {
    const url = new URL(`${req.protocol}://${req.get("host")}${req.originalUrl}`);
    url.searchParams.set("page", String(n));
    url.searchParams.set("per_page", String(perPage));
    return url.toString();
  };
  const links = [`<${at(1)}>; rel="first"`, `<${at(last)}>; rel="last"`];
  if (page < last) links.unshift(`<${at(page + 1)}>; rel="next"`);
  res.set({ link: links.join(", "), "x-page": String(page), "x-per-page": String(perPage), "x-next-page": page < last ? String(page + 1) : "", "x-total": String(all.length), "x-total-pages": String(last) });
  res.json(all.slice((page - 1) * perPage, page * perPage));
}

function groupJson(fullPath: string, id: number) {
  const path = fullPath.split("/").pop()!;
  return { id, name: path, path, full_path: fullPath, full_name: fullPath.replace(/\//g, " / "), visibility: "private", web_url: `https://gitlab.example/groups/${fullPath}`, parent_id: null };
}

/** GitLab (as a self-managed instance at GITLAB_URL). */
export const gitlabFlavour: ProviderFlavour = {
  provider: "gitlab",
  label: "GitLab",
  authorizePath: "/oauth/authorize",
  tokenPath: "/oauth/token",
  // GitLab's OAuth tokens last two hours and come with a refresh token.
  expiringTokens: 7200,
  config: (url, clientId, clientSecret) => ({ clientId, clientSecret, urls: { GITLAB_URL: url } }),
  userApi(router, api) {
    router.get("/api/v4/user", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      const id = userId(who.id);
      const confirmed = who.person.email && who.person.emailVerified;
      res.json({
        id,
        username: who.person.login,
        name: who.person.name || who.person.login,
        state: "active",
        locked: false,
        // A self-managed instance serves uploaded avatars itself.
        avatar_url: api.avatarUrl(`/uploads/-/system/user/avatar/${id}/avatar.png`),
        web_url: `https://gitlab.example/${who.person.login}`,
        created_at: "2021-03-04T10:00:00.000Z",
        bio: "",
        public_email: null,
        // Primary address; GitLab keeps a new address in unconfirmed_email until it is confirmed.
        email: confirmed ? who.person.email : null,
        unconfirmed_email: confirmed ? null : who.person.email,
        confirmed_at: confirmed ? "2021-03-04T10:05:00.000Z" : null,
        two_factor_enabled: false,
        external: false,
        private_profile: false,
      });
    });
    router.get("/uploads/-/system/user/avatar/:id/avatar.png", api.sendAvatar);
    // GET /groups: the groups the caller is a member of, at least min_access_level (10 when unset here).
    router.get("/api/v4/groups", (req, res) => {
      const who = withReadApi(api, req, res);
      if (!who) return;
      const min = Number(req.query.min_access_level) || 10;
      const login = who.person.login.toLowerCase();
      const rows = [...api.orgs.entries()].flatMap(([fullPath, group]) => {
        const role = Object.entries(group.members).find(([m]) => m.toLowerCase() === login)?.[1];
        return role && accessLevel(role) >= min ? [groupJson(fullPath, group.id)] : [];
      });
      sendPage(req, res, api, rows);
    });
    const groupFor = (req: Request, res: Response, login: string) => {
      // GitLab takes a group's id or its URL-encoded full path; a group the caller cannot see is a 404.
      const key = String(req.params.id);
      const entry = [...api.orgs.entries()].find(([fullPath, g]) => String(g.id) === key || fullPath === key);
      if (!entry || !Object.keys(entry[1].members).some((m) => m.toLowerCase() === login.toLowerCase())) {
        res.status(404).json({ message: "404 Group Not Found" });
        return undefined;
      }
      return entry[1];
    };
    const memberJson = (login: string, role: "admin" | "member") => ({
      id: userId(api.idFor(login)),
      username: login,
      name: login,
      state: "active",
      avatar_url: null,
      web_url: `https://gitlab.example/${login}`,
      access_level: accessLevel(role),
      created_at: "2024-01-01T00:00:00.000Z",
      expires_at: null,
      membership_state: "active",
    });
    // GET /groups/:id/members/all: members, inherited ones included (the emulator has no subgroups), paginated.
    router.get("/api/v4/groups/:id/members/all", (req, res) => {
      const who = withReadApi(api, req, res);
      if (!who) return;
      const group = groupFor(req, res, who.person.login);
      if (!group) return;
      sendPage(req, res, api, Object.entries(group.members).map(([m, role]) => memberJson(m, role)));
    });
    // GET /groups/:id/members/all/:user_id: one member, or 404 Not found.
    router.get("/api/v4/groups/:id/members/all/:user_id", (req, res) => {
      const who = withReadApi(api, req, res);
      if (!who) return;
      const group = groupFor(req, res, who.person.login);
      if (!group) return;
      const entry = Object.entries(group.members).find(([m]) => String(userId(api.idFor(m))) === String(req.params.user_id));
      if (!entry) return res.status(404).json({ message: "404 Not found" });
      res.json(memberJson(entry[0], entry[1]));
    });
  },
};
