import type { ProviderFlavour } from "./oauth-server";

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
    const numericId = (hex: string) => Number.parseInt(hex.slice(0, 8), 16) % 100_000_000;
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
      res.json([{ login: `${who.person.login}-org`, id, node_id: `O_kgDO${id}`, url: `https://api.github.com/orgs/${who.person.login}-org`, description: null }]);
    });
  },
};
