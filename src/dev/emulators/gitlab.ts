import type { ProviderFlavour } from "./oauth-server";

/** GitLab (as a self-managed instance at GITLAB_URL). */
export const gitlabFlavour: ProviderFlavour = {
  provider: "gitlab",
  label: "GitLab",
  authorizePath: "/oauth/authorize",
  tokenPath: "/oauth/token",
  config: (url, clientId, clientSecret) => ({ clientId, clientSecret, urls: { GITLAB_URL: url } }),
  userApi(router, api) {
    router.get("/api/v4/user", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      const id = Number.parseInt(who.id.slice(0, 7), 16);
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
    router.get("/api/v4/groups", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      const id = Number.parseInt(who.id.slice(8, 14), 16);
      res.json([{ id, name: "Platform", path: "platform", full_path: `${who.person.login}-group/platform`, visibility: "private", web_url: `https://gitlab.example/groups/${who.person.login}-group/platform` }]);
    });
  },
};
