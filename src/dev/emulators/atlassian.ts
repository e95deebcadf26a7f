import { stableId, type ProviderFlavour } from "./oauth-server";

/** The Atlassian account id the emulator gives an account (shared with the Bitbucket emulator: one person, one id). */
export function atlassianAccountId(login: string): string {
  const hex = stableId("atlassian", login);
  return `712020:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

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
        account_id: atlassianAccountId(who.person.login),
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
