import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { SESSION_COOKIE } from "../../../src/http/session";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, signedInAs, type TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { useProviderEmulators, viaProvider } from "../../helpers/providers";
import { SoftAuthenticator } from "../../helpers/soft-authenticator";

/** The usernames the user menu of the home page offers to switch to. */
async function menuAccounts(client: TestClient): Promise<string[]> {
  const home = await client.get("/");
  return [...home.html.matchAll(/<span class="visually-hidden">Switch to <\/span><strong>([^<]+)<\/strong>/g)].map((m) => m[1]!);
}

/** "Add another account" from the user menu: the browser is left on the sign-in page with no account in use. */
async function startAdding(client: TestClient): Promise<void> {
  const res = await client.submit("/", {}, "/accounts/add");
  assert.equal(res.location, "/login");
  assert.equal(await signedInAs(client), undefined);
}

describe("adding an account with a provider or a passkey", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  // WebAuthn refuses IP addresses as relying parties: the app is named localhost.
  const t = useTestApp(env, { baseHost: "localhost" });

  it("adds an account through a provider, and a second provider sign-in to it just switches", async () => {
    const alice = await buildUser({ username: "alice" });
    const client = await loginAs(t.baseUrl, alice);
    const octo = { login: "octo", name: "Octo Cat", email: "octo@example.test", emailVerified: true };

    await startAdding(client);
    const created = await viaProvider(client, emu.byName.github, octo);
    assert.equal(created.status, 302);
    assert.equal(await signedInAs(client), "octo");
    assert.deepEqual(await menuAccounts(client), ["alice"]);
    const octoSid = client.cookie(SESSION_COOKIE);

    await startAdding(client);
    const again = await viaProvider(client, emu.byName.github, octo);
    assert.equal(again.status, 302);
    assert.equal(client.cookie(SESSION_COOKIE), octoSid, "octo's own session is in use again");
    assert.deepEqual(await menuAccounts(client), ["alice"]);
    const user = await db("users").where({ username: "octo" }).first();
    assert.equal(Number((await db("sessions").where({ user_id: user.id }).whereNull("ended_at").count("* as n").first())!.n), 1);
  });

  it("adds an account with a passkey", async () => {
    const bob = await buildUser({ username: "bob" });
    const key = new SoftAuthenticator(t.baseUrl);
    const own = await loginAs(t.baseUrl, bob);
    const settings = await own.get("/settings/passkeys");
    const csrf = csrfTokenFor(settings.html, "/settings/passkeys");
    const options = JSON.parse((await own.postRaw("/settings/passkeys/options", { _csrf: csrf })).html).options;
    assert.equal((await own.postRaw("/settings/passkeys", { _csrf: csrf, name: "Key", response: key.register(options) })).status, 302);

    const client = await loginAs(t.baseUrl, await buildUser({ username: "alice" }));
    await startAdding(client);
    const login = await client.get("/login");
    const token = csrfTokenFor(login.html, "/login/passkey");
    const challenge = JSON.parse((await client.postRaw("/login/passkey/options", { _csrf: token })).html).options.challenge;
    const res = await client.postRaw("/login/passkey", { _csrf: token, response: key.assert(challenge) });
    assert.equal(res.status, 302);
    assert.equal(await signedInAs(client), "bob");
    assert.deepEqual(await menuAccounts(client), ["alice"]);
  });
});
