import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { followCallback, useProviderEmulators, viaProvider } from "../../helpers/providers";
import { ageRecentAuth, enableTwoFactor, submitCode, totpCode } from "../../helpers/two-factor";

const ELEVEN_MINUTES = 11 * 60_000;

describe("two-factor and re-authentication with external providers", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);

  it("stops a provider sign-in of a 2FA account at the second step", async () => {
    const client = new TestClient(t.baseUrl);
    const created = await viaProvider(client, emu.byName.gitlab, { login: "gl-2fa", email: "gl-2fa@example.test", emailVerified: true });
    assert.equal(created.status, 302);
    const user = await db("users").where({ email: "gl-2fa@example.test" }).first();
    const { secret } = await enableTwoFactor(client);

    const other = new TestClient(t.baseUrl);
    const again = await viaProvider(other, emu.byName.gitlab, { login: "gl-2fa", email: "gl-2fa@example.test", emailVerified: true });
    assert.equal(again.status, 302);
    assert.equal(again.location, "/login/two-factor");
    assert.equal((await other.get("/settings/profile")).location, "/login/two-factor");
    // Never through the "about you" step yet, so that comes first.
    assert.equal((await submitCode(other, totpCode(secret, 1))).location, "/welcome");
    assert.equal((await other.get("/settings/profile")).status, 200);
    const signIn = await db("security_events").where({ user_id: user.id, action: "sign_in" }).orderBy("id", "desc").first();
    assert.equal(signIn.details.method, "gitlab+totp");
  });

  it("lets an account without a password step up with a fresh sign-in through its linked provider only", async () => {
    const client = new TestClient(t.baseUrl);
    await viaProvider(client, emu.byName.github, { login: "gh-only", email: "gh-only@example.test", emailVerified: true });
    const user = await db("users").where({ email: "gh-only@example.test" }).first();
    assert.equal(user.password_hash, null);
    await ageRecentAuth(user.id, ELEVEN_MINUTES);
    const tokens = await client.get("/settings/tokens");
    const asked = await client.postRaw("/settings/tokens", { _csrf: csrfTokenFor(tokens.html, "/settings/tokens"), description: "ci", expires_in_days: "30" });
    assert.equal(asked.status, 303);
    const reauth = await client.get(asked.location!);
    assert.doesNotMatch(reauth.html, /name="password"/);
    assert.match(reauth.html, /Continue with GitHub/);
    assert.doesNotMatch(reauth.html, /Continue with GitLab/, "only linked providers are offered");

    // Another GitHub account than the linked one confirms nothing.
    const start = () => client.postRaw("/auth/github", { _csrf: csrfTokenFor(reauth.html, "/auth/github"), intent: "reauth", returnTo: "/settings/tokens" });
    const wrongStart = await start();
    const wrong = await followCallback(client, await emu.byName.github.decide(wrongStart.location!, "approve", { login: "someone-else", email: "else@example.test", emailVerified: true }));
    assert.equal(wrong.status, 403);
    assert.equal((await client.postRaw("/settings/tokens", { _csrf: csrfTokenFor(tokens.html, "/settings/tokens"), description: "ci", expires_in_days: "30" })).status, 303);

    const rightStart = await start();
    const right = await followCallback(client, await emu.byName.github.decide(rightStart.location!, "approve", { login: "gh-only", email: "gh-only@example.test", emailVerified: true }));
    assert.equal(right.status, 302);
    assert.equal(right.location, "/settings/tokens");
    const created = await client.postRaw("/settings/tokens", { _csrf: csrfTokenFor(tokens.html, "/settings/tokens"), description: "ci", expires_in_days: "30" });
    assert.equal(created.status, 302);
    assert.equal((await db("access_tokens").where({ user_id: user.id })).length, 1);
    const event = await db("security_events").where({ user_id: user.id, action: "reauthenticated" }).first();
    assert.equal(event.details.method, "github");
  });

  it("asks for a fresh proof before linking another identity", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await ageRecentAuth(user.id, ELEVEN_MINUTES);
    const page = await client.get("/settings/identities");
    const res = await client.postRaw("/auth/github", { _csrf: csrfTokenFor(page.html, "/auth/github"), intent: "link" });
    assert.equal(res.status, 303);
    assert.equal(res.location, "/settings/reauthenticate?returnTo=%2Fsettings%2Fidentities");
    assert.equal((await db("identities").where({ user_id: user.id })).length, 0);
  });
});
