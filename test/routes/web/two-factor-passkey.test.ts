import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { SESSION_COOKIE } from "../../../src/http/session";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, TestClient, type Page } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { SoftAuthenticator } from "../../helpers/soft-authenticator";
import { enableTwoFactor, submitCode, submitPassword, totpCode } from "../../helpers/two-factor";

const STEP = "/login/two-factor";
const OPTIONS = "/login/two-factor/passkey/options";
const ANSWER = "/login/two-factor/passkey";

function formError(html: string): string {
  return html.match(/class="flash flash--error" role="alert">([^<]*)</)?.[1]?.trim() ?? "";
}

describe("a passkey as the second step of sign-in, from the attacker's side", () => {
  // WebAuthn refuses IP addresses as relying parties: the app is named localhost.
  const t = useTestApp({ RATE_LIMIT_TWO_FACTOR_PER_ACCOUNT: "5" }, { baseHost: "localhost" });

  /** A user with a passkey (added in settings) and 2FA on; a fresh signed-out client. */
  async function userWithPasskeyAndTwoFactor() {
    const user = await buildUser();
    const key = new SoftAuthenticator(t.baseUrl);
    const settings = await loginAs(t.baseUrl, user);
    const page = await settings.get("/settings/passkeys");
    const csrf = csrfTokenFor(page.html, "/settings/passkeys");
    const options = JSON.parse((await settings.postRaw("/settings/passkeys/options", { _csrf: csrf })).html).options;
    assert.equal((await settings.postRaw("/settings/passkeys", { _csrf: csrf, name: "Key", response: key.register(options) })).status, 302);
    const { secret } = await enableTwoFactor(settings);
    return { user, key, secret, client: new TestClient(t.baseUrl) };
  }

  /** On a client held at the second step: the page, its passkey form's CSRF token and a challenge. */
  async function askForPasskey(client: TestClient) {
    const page = await client.get(STEP);
    assert.equal(page.status, 200);
    const csrf = csrfTokenFor(page.html, ANSWER);
    const res = await client.postRaw(OPTIONS, { _csrf: csrf });
    assert.equal(res.status, 200, `options answered ${res.status}`);
    const options = JSON.parse(res.html).options as { challenge: string; allowCredentials?: { id: string }[] };
    return { page, csrf, options };
  }

  async function lastSignInMethod(userId: number): Promise<string | undefined> {
    const row = await db("security_events").where({ user_id: userId, action: "sign_in" }).orderBy("id", "desc").first();
    return row?.details?.method;
  }

  it("finishes a password sign-in held at the second step with the user's passkey, a new session id, and the method logged", async () => {
    const { user, key, client } = await userWithPasskeyAndTwoFactor();
    assert.equal((await submitPassword(client, user)).location, STEP);
    const held = client.cookie(SESSION_COOKIE);
    const { page, csrf, options } = await askForPasskey(client);
    assert.match(page.html, /Use a passkey/);
    assert.match(page.html, /<form[^>]*action="\/login\/two-factor\/passkey"[^>]*hidden/, "hidden until the script shows it");
    assert.match(page.html, /<script src="\/public\/js\/passkeys.js" defer><\/script>/);
    assert.deepEqual(options.allowCredentials?.map((c) => c.id), [key.id], "only this user's passkeys are listed");

    const done = await client.postRaw(ANSWER, { _csrf: csrf, response: key.assert(options.challenge, { userVerified: false }) });
    assert.equal(done.status, 302, formError(done.html));
    assert.equal(done.location, "/");
    assert.notEqual(client.cookie(SESSION_COOKIE), held, "the session id changes again");
    assert.equal((await client.get("/settings/profile")).status, 200);
    assert.equal(await lastSignInMethod(user.id), "password+passkey");
    const used = await db("security_events").where({ user_id: user.id, action: "two_factor.used" }).orderBy("id", "desc").first();
    assert.equal(used.details.method, "passkey");
  });

  it("offers no passkey to an account without one, and answers its options with a refusal", async () => {
    const user = await buildUser();
    const { secret } = await enableTwoFactor(await loginAs(t.baseUrl, user));
    const client = new TestClient(t.baseUrl);
    await submitPassword(client, user);
    const page = await client.get(STEP);
    assert.doesNotMatch(page.html, /Use a passkey/);
    assert.doesNotMatch(page.html, /passkeys\.js/);
    const res = await client.postRaw(OPTIONS, { _csrf: csrfTokenFor(page.html, STEP) });
    assert.equal(res.status, 409);
    // The code still works.
    assert.equal((await submitCode(client, totpCode(secret, 1))).location, "/");
  });

  it("refuses another user's passkey, even one that is registered", async () => {
    const victim = await userWithPasskeyAndTwoFactor();
    const attacker = await userWithPasskeyAndTwoFactor();
    await submitPassword(victim.client, victim.user);
    const { csrf, options } = await askForPasskey(victim.client);
    const res = await victim.client.postRaw(ANSWER, { _csrf: csrf, response: attacker.key.assert(options.challenge) });
    assert.equal(res.status, 422);
    assert.match(formError(res.html), /does not belong to this account/);
    assert.equal((await victim.client.get("/settings/profile")).location, STEP, "still held");
    assert.doesNotMatch((await lastSignInMethod(victim.user.id)) ?? "", /passkey/, "no sign-in was recorded");
  });

  it("refuses a replayed answer, in this session or another held one, and the same answer twice at once", async () => {
    const { user, key, client } = await userWithPasskeyAndTwoFactor();
    await submitPassword(client, user);
    const { csrf, options } = await askForPasskey(client);
    const answer = key.assert(options.challenge);
    assert.equal((await client.postRaw(ANSWER, { _csrf: csrf, response: answer })).status, 302);

    // A second sign-in held for the same user replays the captured answer.
    const thief = new TestClient(t.baseUrl);
    await submitPassword(thief, user);
    const stolen = await askForPasskey(thief);
    const replay = await thief.postRaw(ANSWER, { _csrf: stolen.csrf, response: answer });
    assert.equal(replay.status, 422);
    assert.equal((await thief.get("/settings/profile")).location, STEP);
    // Without asking for options again, the challenge is gone even for a fresh answer.
    const noChallenge = await thief.postRaw(ANSWER, { _csrf: stolen.csrf, response: key.assert(stolen.options.challenge) });
    assert.equal(noChallenge.status, 422);
    assert.match(formError(noChallenge.html), /took too long/);

    // Two requests carrying one answer at the same moment: one wins.
    const racer = new TestClient(t.baseUrl);
    await submitPassword(racer, user);
    const race = await askForPasskey(racer);
    const same = key.assert(race.options.challenge);
    const results = await Promise.all([racer.postRaw(ANSWER, { _csrf: race.csrf, response: same }), racer.postRaw(ANSWER, { _csrf: race.csrf, response: same })]);
    assert.equal(results.filter((r: Page) => r.status === 302).length, 1, results.map((r) => r.status).join(","));
  });

  it("refuses both routes without a sign-in held in this session", async () => {
    const { user, key } = await userWithPasskeyAndTwoFactor();
    const stranger = new TestClient(t.baseUrl);
    const login = await stranger.get("/login");
    const token = csrfTokenFor(login.html, "/login");
    const options = await stranger.postRaw(OPTIONS, { _csrf: token });
    assert.equal(options.status, 302);
    assert.equal(options.location, "/login");
    const answer = await stranger.postRaw(ANSWER, { _csrf: token, response: key.assert("c".repeat(43)) });
    assert.equal(answer.status, 302);
    assert.equal(answer.location, "/login");
    assert.equal((await stranger.get("/settings/profile")).status, 302);

    // A cancelled sign-in cannot be finished with the options it asked for.
    const client = new TestClient(t.baseUrl);
    await submitPassword(client, user);
    const asked = await askForPasskey(client);
    await client.postRaw("/login/two-factor/cancel", { _csrf: csrfTokenFor(asked.page.html, "/login/two-factor/cancel") });
    const late = await client.postRaw(ANSWER, { _csrf: asked.csrf, response: key.assert(asked.options.challenge) });
    assert.equal(late.location, "/login");
    assert.equal((await client.get("/settings/profile")).status, 302);
  });

  it("does not let a possession-only passkey stand in for both factors", async () => {
    const { key, client } = await userWithPasskeyAndTwoFactor();
    const login = await client.get("/login");
    const csrf = csrfTokenFor(login.html, "/login/passkey");
    const options = JSON.parse((await client.postRaw("/login/passkey/options", { _csrf: csrf })).html).options;
    const held = await client.postRaw("/login/passkey", { _csrf: csrf, response: key.assert(options.challenge, { userVerified: false }) });
    assert.equal(held.location, STEP);
    const page = await client.get(STEP);
    assert.doesNotMatch(page.html, /Use a passkey/);
    const token = csrfTokenFor(page.html, STEP);
    assert.equal((await client.postRaw(OPTIONS, { _csrf: token })).status, 409);
    const again = await client.postRaw(ANSWER, { _csrf: token, response: key.assert(options.challenge, { userVerified: false }) });
    assert.equal(again.status, 422);
    assert.equal((await client.get("/settings/profile")).location, STEP);
  });

  it("spends the per-account second-factor budget with wrong answers, shared with codes", async () => {
    const { user, key, secret } = await userWithPasskeyAndTwoFactor();
    const stranger = new SoftAuthenticator(t.baseUrl);
    const clients = Array.from({ length: 3 }, () => new TestClient(t.baseUrl));
    const statuses: number[] = [];
    // Wrong passkeys (not registered, or tampered) from several held sign-ins, in parallel.
    for (const c of clients) await submitPassword(c, user);
    const rounds = await Promise.all(clients.map((c) => askForPasskey(c)));
    const first = await Promise.all(clients.map((c, i) => c.postRaw(ANSWER, { _csrf: rounds[i]!.csrf, response: stranger.assert(rounds[i]!.options.challenge) })));
    statuses.push(...first.map((r) => r.status));
    const tampered = await Promise.all(clients.map(async (c) => {
      const r = await askForPasskey(c);
      return c.postRaw(ANSWER, { _csrf: r.csrf, response: key.assert(r.options.challenge, { origin: "https://evil.example" }) });
    }));
    statuses.push(...tampered.map((r) => r.status));
    assert.equal(statuses.filter((s) => s === 422).length, 5, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 429).length, 1, statuses.join(","));
    assert.equal((await db("security_events").where({ user_id: user.id, action: "two_factor.failed" })).length, 5);

    // Over budget, the right passkey and the right code are refused too, however the sign-in started.
    const fresh = new TestClient(t.baseUrl);
    await submitPassword(fresh, user);
    const r = await askForPasskey(fresh);
    const right = await fresh.postRaw(ANSWER, { _csrf: r.csrf, response: key.assert(r.options.challenge) });
    assert.equal(right.status, 429);
    assert.equal((await submitCode(fresh, totpCode(secret, 1))).status, 429);
    assert.equal((await fresh.get("/settings/profile")).location, STEP);
  });
});
