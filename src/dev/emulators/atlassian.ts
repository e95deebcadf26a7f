import type { ProviderFlavour } from "./oauth-server";

/** Atlassian (auth.atlassian.com and api.atlassian.com on one local base URL). */
export const atlassianFlavour: ProviderFlavour = {
  provider: "atlassian",
  label: "Atlassian",
  authorizePath: "/authorize",
  tokenPath: "/oauth/token",
  config: (url, clientId, clientSecret) => ({ clientId, clientSecret, urls: { ATLASSIAN_AUTH_URL: url, ATLASSIAN_API_URL: url } }),
  userApi(router, api) {
    router.get("/me", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      res.json({
        account_type: "atlassian",
        account_id: `712020:${who.id.slice(0, 8)}-${who.id.slice(8, 12)}-${who.id.slice(12, 16)}-${who.id.slice(16, 20)}-${who.id.slice(20, 32)}`,
        email: who.person.email ?? "",
        email_verified: !!who.person.email && who.person.emailVerified,
        name: who.person.name || who.person.login,
        // The avatar-management path shape, on the emulator's origin.
        picture: api.avatarUrl(`/avatar-management/${who.id.slice(0, 24)}/128`),
        account_status: "active",
        nickname: who.person.login,
        zoneinfo: "Europe/Lisbon",
        locale: "en-US",
        extended_profile: { job_title: "Developer" },
      });
    });
    router.get("/avatar-management/:id/128", api.sendAvatar);
    router.get("/oauth/token/accessible-resources", (req, res) => {
      if (!api.personFor(req, res)) return;
      res.json([]);
    });
  },
};
