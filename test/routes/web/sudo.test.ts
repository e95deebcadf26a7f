import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { insertIdentity } from "../../../src/db/identities";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, fieldError, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { buildOrg } from "../../helpers/orgs";
import { ageRecentAuth, enableTwoFactor, totpCode } from "../../helpers/two-factor";

const ELEVEN_MINUTES = 11 * 60_000;

describe("re-authentication before sensitive actions (sudo mode)", () => {
  const t = useTestApp({ RATE_LIMIT_LOGIN_PER_ACCOUNT: "3" });

  /** POSTs `fields` to `action` with the CSRF token of `page`. */
  async function post(client: TestClient, page: string, action: string, fields: Record<string, string>) {
    const html = (await client.get(page)).html;
    return client.postRaw(action, { _csrf: csrfTokenFor(html, action), ...fields });
  }

  it("asks a session older than 10 minutes to confirm before every sensitive action, and changes nothing meanwhile", async () => {
    const user = await buildUser();
    const org = await buildOrg(user, { name: "Acme" });
    const identity = await insertIdentity({ user_id: user.id, provider: "github", provider_user_id: "1", provider_username: "gh-user", avatar_url: null });
    const client = await loginAs(t.baseUrl, user);
    // Forms are loaded while the proof is fresh, then it grows old (a session left open, or stolen).
    const pages = {
      password: (await client.get("/settings/password")).html,
      account: (await client.get("/settings/account")).html,
      tokens: (await client.get("/settings/tokens")).html,
      identities: (await client.get(`/settings/identities/${identity.id}/delete`)).html,
      security: (await client.get("/settings/security")).html,
      org: (await client.get(`/orgs/${org.slug}/settings`)).html,
    };
    const passwordHashBefore = (await db("users").where({ id: user.id }).first()).password_hash;
    await ageRecentAuth(user.id, ELEVEN_MINUTES);
    const attempts: [string, string, Record<string, string>, string][] = [
      [pages.password, "/settings/password", { password: "an entirely new passphrase", password_confirmation: "an entirely new passphrase" }, "/settings/password"],
      [pages.account, "/settings/account/email", { email: "thief@example.test" }, "/settings/account"],
      [pages.account, "/settings/account/delete", { username_confirmation: user.username }, "/settings/account"],
      [pages.tokens, "/settings/tokens", { description: "planted", expires_in_days: "none" }, "/settings/tokens"],
      [pages.identities, `/settings/identities/${identity.id}/delete`, {}, "/settings/identities"],
      [pages.security, "/settings/security/totp/setup", {}, "/settings/security"],
      [pages.org, `/orgs/${org.slug}/delete`, { confirm_slug: org.slug }, `/orgs/${org.slug}/settings`],
    ];
    for (const [html, action, fields, returnTo] of attempts) {
      const res = await client.postRaw(action, { _csrf: csrfTokenFor(html, action), ...fields });
      assert.equal(res.status, 303, action);
      assert.equal(res.location, `/settings/reauthenticate?returnTo=${encodeURIComponent(returnTo)}`, action);
    }
    assert.equal((await db("users").where({ id: user.id }).first()).password_hash, passwordHashBefore);
    assert.equal((await db("access_tokens").where({ user_id: user.id })).length, 0);
    assert.equal((await db("identities").where({ user_id: user.id })).length, 1);
    assert.equal((await db("organizations").where({ id: org.id })).length, 1);
    assert.equal((await db("email_codes").where({ user_id: user.id, purpose: "email_change" })).length, 0);
    assert.equal(await db("totp_credentials").where({ user_id: user.id }).first(), undefined);

    // Confirming with the password goes back to the page; the form is then submitted again.
    const reauth = await client.get("/settings/reauthenticate?returnTo=%2Fsettings%2Ftokens");
    assert.equal(reauth.status, 200);
    assert.match(reauth.html, /Confirm it&#39;s you/);
    const confirmed = await client.postRaw("/settings/reauthenticate", { _csrf: csrfTokenFor(reauth.html, "/settings/reauthenticate"), method: "password", password: user.password, returnTo: "/settings/tokens" });
    assert.equal(confirmed.status, 302);
    assert.equal(confirmed.location, "/settings/tokens");
    const created = await post(client, "/settings/tokens", "/settings/tokens", { description: "wanted", expires_in_days: "30" });
    assert.equal(created.status, 302);
    assert.equal((await db("access_tokens").where({ user_id: user.id })).length, 1);
    assert.equal((await db("security_events").where({ user_id: user.id, action: "reauthenticated" })).length, 1);

    // Ten minutes later it is asked for again.
    await ageRecentAuth(user.id, 10 * 60_000 + 1000);
    const late = await post(client, "/settings/tokens", "/settings/tokens", { description: "late", expires_in_days: "30" });
    assert.equal(late.status, 303);
  });

  it("asks again before a CLI sign-in is approved, coming back to the same consent page", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await ageRecentAuth(user.id, ELEVEN_MINUTES);
    const consent = `/cli/login?client_id=terraform-cli&redirect_uri=${encodeURIComponent("http://localhost:10003/login")}&response_type=code&code_challenge=${"a".repeat(43)}&code_challenge_method=S256&state=s`;
    const res = await client.get(consent);
    assert.equal(res.status, 303);
    const back = new URL(res.location!, t.baseUrl).searchParams.get("returnTo");
    assert.equal(back, consent);
  });

  it("refuses a wrong password, from the sign-in's guess budget, and foreign return paths", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await ageRecentAuth(user.id, ELEVEN_MINUTES);
    const page = await client.get("/settings/reauthenticate?returnTo=https%3A%2F%2Fevil.test%2F");
    assert.match(page.html, /name="returnTo" value="\/settings\/security"/);
    const token = csrfTokenFor(page.html, "/settings/reauthenticate");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await client.postRaw("/settings/reauthenticate", { _csrf: token, method: "password", password: "not my password at all", returnTo: "/settings/tokens" });
      statuses.push(res.status);
      if (res.status === 422) assert.equal(fieldError(res.html, "password"), "That is not your password.");
    }
    assert.deepEqual(statuses, [422, 422, 422, 429]);
    const right = await client.postRaw("/settings/reauthenticate", { _csrf: token, method: "password", password: user.password, returnTo: "/settings/tokens" });
    assert.equal(right.status, 429);
  });

  it("takes a code as the proof for a 2FA account, and a code only for turning 2FA off", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const { secret } = await enableTwoFactor(client);
    await ageRecentAuth(user.id, ELEVEN_MINUTES);
    const page = await client.get("/settings/reauthenticate?returnTo=%2Fsettings%2Fsecurity&factor=second");
    assert.doesNotMatch(page.html, /name="password"/);
    const viaPassword = await client.postRaw("/settings/reauthenticate", { _csrf: csrfTokenFor(page.html, "/settings/reauthenticate"), method: "password", password: user.password, factor: "second", returnTo: "/settings/security" });
    assert.equal(viaPassword.status, 422, "the password is not accepted where the second factor is asked for");
    const viaCode = await client.postRaw("/settings/reauthenticate", { _csrf: csrfTokenFor(page.html, "/settings/reauthenticate"), method: "code", code: totpCode(secret, 1), factor: "second", returnTo: "/settings/security" });
    assert.equal(viaCode.status, 302);
    const off = await post(client, "/settings/security", "/settings/security/disable", {});
    assert.equal(off.status, 302);
    assert.equal(off.location, "/settings/security");
    assert.equal(await db("totp_credentials").where({ user_id: user.id }).first(), undefined);
  });
});
