import type { ProviderFlavour } from "./oauth-server";

/** Google (accounts.google.com, oauth2.googleapis.com and openidconnect.googleapis.com on one base). */
export const googleFlavour: ProviderFlavour = {
  provider: "google",
  label: "Google",
  authorizePath: "/o/oauth2/v2/auth",
  tokenPath: "/token",
  config: (url, clientId, clientSecret) => ({ clientId, clientSecret, urls: { GOOGLE_URL: url } }),
  userApi(router, api) {
    router.get("/a/:picture", api.sendAvatar);
    router.get("/v1/userinfo", (req, res) => {
      const who = api.personFor(req, res);
      if (!who) return;
      const sub = BigInt(`0x${who.id.slice(0, 16)}`).toString().padStart(21, "1").slice(0, 21);
      const [given, ...family] = (who.person.name || who.person.login).split(" ");
      res.json({
        sub,
        name: who.person.name || who.person.login,
        given_name: given,
        family_name: family.join(" ") || undefined,
        // The googleusercontent.com path shape, on the emulator's origin.
        picture: api.avatarUrl(`/a/${who.id.slice(0, 20)}=s96-c`),
        email: who.person.email ?? undefined,
        email_verified: !!who.person.email && who.person.emailVerified,
      });
    });
  },
};
