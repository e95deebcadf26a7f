import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { listPasskeysForUser } from "../../../../src/db/passkeys";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor, TestClient, type Page } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { SoftAuthenticator } from "../../../helpers/soft-authenticator";
import { enableTwoFactor } from "../../../helpers/two-factor";

function flashIn(html: string): string {
  return [...html.matchAll(/class="flash flash--\w+"[^>]*>([^<]*)</g)].map((m) => m[1]!.trim()).join(" | ");
}

describe("passkeys, from the attacker's side", () => {
  // WebAuthn refuses IP addresses as relying parties: the app is named localhost.
  const t = useTestApp({}, { baseHost: "localhost" });

  /** Asks for options from the page holding the form that posts to `action`; returns the CSRF token too. */
  async function optionsFor(client: TestClient, pagePath: string, action: string, optionsPath: string) {
    const page = await client.get(pagePath);
    const csrf = csrfTokenFor(page.html, action);
    const res = await client.postRaw(optionsPath, { _csrf: csrf });
    assert.equal(res.status, 200, `options answered ${res.status}`);
    return { csrf, options: JSON.parse(res.html).options as { challenge: string; user: { id: string } } };
  }

  async function registerPasskey(client: TestClient, key: SoftAuthenticator, name = "Test key", tamper = {}): Promise<Page> {
    const { csrf, options } = await optionsFor(client, "/settings/passkeys", "/settings/passkeys", "/settings/passkeys/options");
    return client.postRaw("/settings/passkeys", { _csrf: csrf, name, response: key.register(options, tamper) });
  }

  /** A signed-out browser's first half of a passkey sign-in: the CSRF token and the challenge. */
  async function startSignIn(client: TestClient) {
    const { csrf, options } = await optionsFor(client, "/login", "/login/passkey", "/login/passkey/options");
    return { csrf, challenge: options.challenge };
  }

  async function userWithPasskey(opts: { password?: string | null } = {}) {
    const user = await buildUser();
    const key = new SoftAuthenticator(t.baseUrl);
    const client = await loginAs(t.baseUrl, user);
    const res = await registerPasskey(client, key);
    assert.equal(res.status, 302, flashIn(res.html) || res.html.slice(0, 300));
    if (opts.password === null) await db("users").where({ id: user.id }).update({ password_hash: null });
    return { user, key, client };
  }

  it("keeps a passkey sign-in's challenge out of the session, so the sign-in page's early options request can never replace a password sign-in's cookie", async () => {
    // The page asks for options while the person types a password. Had that answer carried a
    // session cookie, arriving after the password sign-in's answer it would sign the browser out.
    const client = new TestClient(t.baseUrl);
    const before = Number((await db("sessions").count<{ count: string }[]>("* as count"))[0]!.count);
    const page = await client.get("/login");
    const res = await client.postRaw("/login/passkey/options", { _csrf: csrfTokenFor(page.html, "/login/passkey") });
    assert.equal(res.status, 200);
    const cookies = res.headers.getSetCookie().map((c) => c.split("=")[0]);
    assert.ok(!cookies.includes("gatehouse.sid"), `the options answer set ${cookies.join(", ")}`);
    assert.ok(cookies.includes("gatehouse.passkey-sign-in"));
    assert.equal(Number((await db("sessions").count<{ count: string }[]>("* as count"))[0]!.count), before, "no session row for a signed-out page's options");
  });

  it("registers a passkey, signs in with it without a username, and records both", async () => {
    const { user, key } = await userWithPasskey();
    const [row] = await listPasskeysForUser(user.id);
    assert.equal(row?.name, "Test key");
    assert.equal(row?.credential_id, key.id);
    assert.ok(row?.user_handle && row.user_handle !== String(user.id), "the user handle is random, not the user id");

    const browser = new TestClient(t.baseUrl);
    const { csrf, challenge } = await startSignIn(browser);
    const before = browser.cookie("gatehouse.sid");
    const res = await browser.postRaw("/login/passkey", { _csrf: csrf, response: key.assert(challenge), remember: "on" });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/");
    assert.notEqual(browser.cookie("gatehouse.sid"), before, "a new session id at sign-in");
    const home = await browser.get("/settings/passkeys");
    assert.equal(home.status, 200);
    assert.match(home.html, /last used <time/);
    const events = await db("security_events").where({ user_id: user.id }).orderBy("id").pluck("action");
    assert.deepEqual(events.filter((a: string) => a.startsWith("passkey") || a === "sign_in"), ["sign_in", "passkey.added", "sign_in"]);
    const last = await db("security_events").where({ user_id: user.id, action: "sign_in" }).orderBy("id", "desc").first();
    assert.deepEqual(last.details, { method: "passkey" });
    const stored = await db("sessions").where({ user_id: user.id }).whereNull("ended_at").orderBy("signed_in_at", "desc").first();
    assert.equal(stored.remember, true, "Keep me signed in is honoured");
  });

  it("mails the new-device notice for a passkey sign-in from a browser not seen before", async () => {
    const { user, key } = await userWithPasskey();
    const browser = new TestClient(t.baseUrl, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15");
    const { csrf, challenge } = await startSignIn(browser);
    assert.equal((await browser.postRaw("/login/passkey", { _csrf: csrf, response: key.assert(challenge) })).status, 302);
    const mail = await t.mailbox.waitFor(user.email, (m) => m.subject === "New sign-in to your account");
    assert.match(mail.text, /Safari 17/);
  });

  it("refuses a replayed sign-in response, and of two racing copies accepts one", async () => {
    const { key } = await userWithPasskey();
    const browser = new TestClient(t.baseUrl);
    const { csrf, challenge } = await startSignIn(browser);
    const response = key.assert(challenge);
    const ok = await browser.postRaw("/login/passkey", { _csrf: csrf, response });
    assert.equal(ok.status, 302);

    // The same response again, from a fresh signed-out browser that asked for its own challenge.
    const attacker = new TestClient(t.baseUrl);
    const second = await startSignIn(attacker);
    const replay = await attacker.postRaw("/login/passkey", { _csrf: second.csrf, response });
    assert.equal(replay.status, 422);
    assert.match(replay.html, /not accepted/);

    // One challenge, two different valid responses sent at once: the challenge answers one.
    const racer = new TestClient(t.baseUrl);
    const race = await startSignIn(racer);
    const a = key.assert(race.challenge);
    const b = key.assert(race.challenge);
    const answers = await Promise.all([a, b].map((response) => racer.postRaw("/login/passkey", { _csrf: race.csrf, response })));
    assert.deepEqual(answers.map((r) => r.status).sort(), [302, 422]);
  });

  it("refuses a response signed for another origin or another RP ID", async () => {
    const { key } = await userWithPasskey();
    for (const tamper of [{ origin: "https://gatehouse.evil.example" }, { origin: t.baseUrl.replace("localhost", "127.0.0.1") }, { rpId: "evil.example" }]) {
      const browser = new TestClient(t.baseUrl);
      const { csrf, challenge } = await startSignIn(browser);
      const res = await browser.postRaw("/login/passkey", { _csrf: csrf, response: key.assert(challenge, tamper) });
      assert.equal(res.status, 422, JSON.stringify(tamper));
      assert.equal((await browser.get("/settings/passkeys")).status, 302, "still signed out");
    }
    const other = await buildUser();
    const client = await loginAs(t.baseUrl, other);
    const res = await registerPasskey(client, new SoftAuthenticator(t.baseUrl), "Phished", { origin: "https://gatehouse.evil.example" });
    assert.equal(res.status, 422);
    assert.match(res.html, /could not be added/);
    assert.equal((await listPasskeysForUser(other.id)).length, 0);
  });

  it("refuses another user's credential id, signed with the attacker's own key", async () => {
    const victim = await userWithPasskey();
    const attacker = await userWithPasskey();
    const browser = new TestClient(t.baseUrl);
    const { csrf, challenge } = await startSignIn(browser);
    const forged = attacker.key.assert(challenge, { credentialId: victim.key.id, userHandle: victim.key.userHandle });
    const res = await browser.postRaw("/login/passkey", { _csrf: csrf, response: forged });
    assert.equal(res.status, 422);
    const failed = await db("security_events").where({ user_id: victim.user.id, action: "sign_in.failed" }).first();
    assert.equal(failed?.details.method, "passkey", "the victim's log shows the failed attempt");

    // Nor can the attacker rename or remove the victim's passkey by its id.
    const [victimKey] = await listPasskeysForUser(victim.user.id);
    const page = await attacker.client.get("/settings/passkeys");
    const csrfToken = csrfTokenFor(page.html, "/settings/passkeys");
    assert.equal((await attacker.client.get(`/settings/passkeys/${victimKey!.id}/rename`)).status, 404);
    assert.equal((await attacker.client.postRaw(`/settings/passkeys/${victimKey!.id}/rename`, { _csrf: csrfToken, name: "Mine" })).status, 404);
    assert.equal((await attacker.client.postRaw(`/settings/passkeys/${victimKey!.id}/delete`, { _csrf: csrfToken })).status, 404);
    assert.equal((await listPasskeysForUser(victim.user.id))[0]?.name, "Test key");

    // A user handle that is not the credential's own is refused as well.
    const second = await startSignIn(browser);
    const wrongHandle = victim.key.assert(second.challenge, { userHandle: attacker.key.userHandle });
    assert.equal((await browser.postRaw("/login/passkey", { _csrf: second.csrf, response: wrongHandle })).status, 422);
  });

  it("refuses a removed passkey, and a counter that went backwards (a cloned authenticator)", async () => {
    const { user, key, client } = await userWithPasskey();
    const browser = new TestClient(t.baseUrl);
    let s = await startSignIn(browser);
    assert.equal((await browser.postRaw("/login/passkey", { _csrf: s.csrf, response: key.assert(s.challenge, { counter: 5 }) })).status, 302);

    const clone = new TestClient(t.baseUrl);
    s = await startSignIn(clone);
    const cloned = await clone.postRaw("/login/passkey", { _csrf: s.csrf, response: key.assert(s.challenge, { counter: 5 }) });
    assert.equal(cloned.status, 422);
    assert.ok(await db("security_events").where({ user_id: user.id, action: "passkey.clone_suspected" }).first(), "the owner's log records it");

    const [row] = await listPasskeysForUser(user.id);
    const page = await client.get(`/settings/passkeys/${row!.id}/delete`);
    const removed = await client.postRaw(`/settings/passkeys/${row!.id}/delete`, { _csrf: csrfTokenFor(page.html, `/settings/passkeys/${row!.id}/delete`) });
    assert.equal(removed.status, 302);
    s = await startSignIn(clone);
    const gone = await clone.postRaw("/login/passkey", { _csrf: s.csrf, response: key.assert(s.challenge) });
    assert.equal(gone.status, 422);
    assert.match(gone.html, /not registered/);
  });

  it("treats a passkey used without user verification as one factor, like a password", async () => {
    const { user, key } = await userWithPasskey();
    const browser = new TestClient(t.baseUrl);
    const { csrf, challenge } = await startSignIn(browser);
    const res = await browser.postRaw("/login/passkey", { _csrf: csrf, response: key.assert(challenge, { userVerified: false }) });
    // Without two-factor authentication on, one factor signs in (as a password does).
    assert.equal(res.status, 302);
    assert.equal(res.location, "/");
    const last = await db("security_events").where({ user_id: user.id, action: "sign_in" }).orderBy("id", "desc").first();
    assert.deepEqual(last.details, { method: "passkey" });
  });

  it("with 2FA on, a verified passkey signs in at once and one without verification stops at the second step", async () => {
    const { key, client } = await userWithPasskey();
    await enableTwoFactor(client);
    const verified = new TestClient(t.baseUrl);
    let s = await startSignIn(verified);
    const full = await verified.postRaw("/login/passkey", { _csrf: s.csrf, response: key.assert(s.challenge) });
    assert.equal(full.status, 302);
    assert.equal(full.location, "/");
    const possession = new TestClient(t.baseUrl);
    s = await startSignIn(possession);
    const held = await possession.postRaw("/login/passkey", { _csrf: s.csrf, response: key.assert(s.challenge, { userVerified: false }) });
    assert.equal(held.status, 302);
    assert.equal(held.location, "/login/two-factor");
    assert.equal((await possession.get("/settings/passkeys")).status, 302, "the held sign-in reaches no page");
  });

  it("refuses an answer without a challenge, and a registration replayed or registered twice", async () => {
    const { key, client } = await userWithPasskey();
    // No options asked for in this browser: nothing to answer.
    const browser = new TestClient(t.baseUrl);
    const page = await browser.get("/login");
    const res = await browser.postRaw("/login/passkey", { _csrf: csrfTokenFor(page.html, "/login/passkey"), response: key.assert("c".repeat(43)) });
    assert.equal(res.status, 422);
    assert.match(res.html, /took too long/);

    const again = await registerPasskey(client, key, "Same key");
    assert.equal(again.status, 422);
    assert.match(again.html, /already registered/);
    assert.match(again.html, /value="Same key"/, "the name typed is kept");

    const other = await buildUser();
    const otherClient = await loginAs(t.baseUrl, other);
    const fresh = new SoftAuthenticator(t.baseUrl);
    const { csrf, options } = await optionsFor(otherClient, "/settings/passkeys", "/settings/passkeys", "/settings/passkeys/options");
    const response = fresh.register(options);
    const both = await Promise.all([1, 2].map(() => otherClient.postRaw("/settings/passkeys", { _csrf: csrf, name: "Racing", response })));
    assert.deepEqual(both.map((r) => r.status).sort(), [302, 422]);
    assert.equal((await listPasskeysForUser(other.id)).length, 1);
  });

  it("validates names, renames, and never removes the last way to sign in", async () => {
    const { user, client } = await userWithPasskey({ password: null });
    let page = await client.get("/settings/passkeys");
    assert.match(page.html, /Only way to sign in/);
    const [row] = await listPasskeysForUser(user.id);
    const csrf = csrfTokenFor(page.html, "/settings/passkeys");
    const refused = await client.postRaw(`/settings/passkeys/${row!.id}/delete`, { _csrf: csrf });
    assert.equal(refused.status, 302);
    assert.match(flashIn((await client.get("/settings/passkeys")).html), /only way to sign in/);
    assert.equal((await listPasskeysForUser(user.id)).length, 1);

    const blank = await client.postRaw(`/settings/passkeys/${row!.id}/rename`, { _csrf: csrf, name: "  " });
    assert.equal(blank.status, 422);
    assert.match(blank.html, /Give this passkey a name/);
    const bidi = await client.postRaw(`/settings/passkeys/${row!.id}/rename`, { _csrf: csrf, name: "Key\u202Eyek" });
    assert.equal(bidi.status, 422);
    const renamed = await client.postRaw(`/settings/passkeys/${row!.id}/rename`, { _csrf: csrf, name: "Desk key" });
    assert.equal(renamed.status, 302);
    assert.equal((await listPasskeysForUser(user.id))[0]?.name, "Desk key");
    assert.ok(await db("security_events").where({ user_id: user.id, action: "passkey.renamed" }).first());

    // With a second passkey, either can go, but two removals at once still leave one.
    const second = await registerPasskey(client, new SoftAuthenticator(t.baseUrl), "Spare");
    assert.equal(second.status, 302);
    page = await client.get("/settings/passkeys");
    assert.doesNotMatch(page.html, /Only way to sign in/);
    const ids = (await listPasskeysForUser(user.id)).map((p) => p.id);
    await Promise.all(ids.map((id) => client.postRaw(`/settings/passkeys/${id}/delete`, { _csrf: csrf })));
    assert.equal((await listPasskeysForUser(user.id)).length, 1);

    const noJs = await client.postRaw("/settings/passkeys", { _csrf: csrf, name: "No script" });
    assert.equal(noJs.status, 422);
    assert.match(noJs.html, /need JavaScript/);

    // Someone else's passkey is a 404, whether the name typed is good or not.
    const stranger = await loginAs(t.baseUrl, await buildUser());
    const strangerCsrf = csrfTokenFor((await stranger.get("/settings/passkeys")).html, "/settings/passkeys");
    const [kept] = await listPasskeysForUser(user.id);
    for (const name of ["Mine now", "  "]) {
      assert.equal((await stranger.postRaw(`/settings/passkeys/${kept!.id}/rename`, { _csrf: strangerCsrf, name })).status, 404, name);
    }
    assert.equal((await listPasskeysForUser(user.id))[0]?.name, kept!.name);
  });

  it("spends the registration challenge on an answer refused for its form, so it cannot answer again", async () => {
    const client = await loginAs(t.baseUrl, await buildUser());
    const key = new SoftAuthenticator(t.baseUrl);
    const { csrf, options } = await optionsFor(client, "/settings/passkeys", "/settings/passkeys", "/settings/passkeys/options");
    const blank = await client.postRaw("/settings/passkeys", { _csrf: csrf, name: "Kept name", response: "" });
    assert.equal(blank.status, 422);
    assert.match(blank.html, /need JavaScript/);
    assert.match(blank.html, /value="Kept name"/, "the name typed is kept");
    const late = await client.postRaw("/settings/passkeys", { _csrf: csrf, name: "Kept name", response: key.register(options) });
    assert.equal(late.status, 422);
    assert.match(late.html, /took too long/);
  });

  it("counts a passkey as a way in when an identity is disconnected", async () => {
    const { user, client } = await userWithPasskey({ password: null });
    const [identity] = await db("identities").insert({ user_id: user.id, provider: "github", provider_user_id: "4242", provider_username: "octo" }).returning("id");
    const page = await client.get("/settings/identities");
    assert.doesNotMatch(page.html, /Only way to sign in/);
    const res = await client.postRaw(`/settings/identities/${identity.id}/delete`, { _csrf: csrfTokenFor(page.html, "/logout") });
    assert.equal(res.status, 302);
    assert.equal(await db("identities").where({ user_id: user.id }).count("* as n").first().then((r) => Number(r!.n)), 0);
  });

  it("asks the signed-out to sign in, and never offers options to them for registration", async () => {
    const anon = new TestClient(t.baseUrl);
    assert.equal((await anon.get("/settings/passkeys")).status, 302);
    const login = await anon.get("/login");
    assert.match(login.html, /autocomplete="username webauthn"/);
    assert.match(login.html, /Sign in with a passkey/);
    const res = await anon.postRaw("/settings/passkeys/options", { _csrf: csrfTokenFor(login.html, "/login") });
    assert.equal(res.status, 401);
  });
});
