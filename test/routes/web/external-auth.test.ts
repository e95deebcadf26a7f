import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { listIdentitiesForUser } from "../../../src/db/identities";
import { findUserByEmail, findUserByUsername } from "../../../src/db/users";
import type { ProviderName } from "../../../src/config";
import { useTestApp } from "../../helpers/app";
import { TestClient, fieldError, inputValue, signedInAs } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { followCallback, startProviderFlow, useProviderEmulators, viaProvider } from "../../helpers/providers";

const ALL: ProviderName[] = ["github", "gitlab", "atlassian", "google"];

describe("sign-in and sign-up with an external provider", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);

  it("shows a button per configured provider on the sign-in and sign-up pages, each a POST form", async () => {
    const client = new TestClient(t.baseUrl);
    for (const page of ["/login", "/signup"]) {
      const { html } = await client.get(page);
      for (const name of ALL) assert.match(html, new RegExp(`<form method="post" action="/auth/${name}">\\s*<input type="hidden" name="_csrf"`), `${page}: ${name}`);
      assert.match(html, /Continue with GitHub/);
    }
  });

  it("sends the browser to the provider with a session-bound state, PKCE where supported, and minimal scopes", async () => {
    for (const name of ALL) {
      const client = new TestClient(t.baseUrl);
      const authorize = new URL(await startProviderFlow(client, name));
      const q = authorize.searchParams;
      assert.equal(authorize.origin, emu.byName[name].url);
      assert.equal(q.get("redirect_uri"), `${t.baseUrl}/auth/${name}/callback`);
      assert.ok((q.get("state") ?? "").length >= 20, `${name} state`);
      if (name === "atlassian") assert.equal(q.get("code_challenge"), null);
      else assert.equal(q.get("code_challenge_method"), "S256", `${name} PKCE`);
      const scope = { github: "user:email", gitlab: "read_user", atlassian: "read:me", google: "openid email profile" }[name];
      assert.equal(q.get("scope"), scope);
    }
  });

  it("starts only from a POST with the CSRF token; GET /auth/:provider just shows the button", async () => {
    const client = new TestClient(t.baseUrl);
    const page = await client.get("/auth/github");
    assert.equal(page.status, 200);
    assert.match(page.html, /action="\/auth\/github"/);
    await client.get("/login");
    const forged = await client.postRaw("/auth/github", { _csrf: "forged" });
    assert.equal(forged.status, 403);
    assert.equal((await client.get("/auth/bitbucket")).status, 404);
  });

  it("signs up with each provider's verified email: a confirmed account named after the provider account", async () => {
    for (const name of ALL) {
      const client = new TestClient(t.baseUrl);
      const login = `new-${name}`;
      const res = await viaProvider(client, emu.byName[name], { login, name: `New ${name}`, email: `${login}@example.test`, emailVerified: true });
      assert.equal(res.status, 302, `${name}: ${res.html.slice(0, 300)}`);
      // The "about you" step first, as after a password sign-up, with the provider's name filled in.
      assert.equal(res.location, "/welcome");
      const welcome = await client.get(res.location!);
      assert.match(welcome.html, new RegExp(`Your account was created with [^.]+\\. Your username is ${login}`));
      assert.equal(inputValue(welcome.html, "display_name"), `New ${name}`);
      const user = await findUserByEmail(`${login}@example.test`);
      assert.ok(user?.email_confirmed_at, `${name}: account confirmed`);
      assert.equal(user.username, login);
      assert.equal(user.display_name, `New ${name}`);
      assert.equal(user.password_hash, null);
      const [identity] = await listIdentitiesForUser(user.id);
      assert.equal(identity?.provider, name);
      assert.equal(identity?.provider_username, login);
      assert.equal(await signedInAs(client), login);
      const events = await db("security_events").where({ user_id: user.id, action: "sign_in" });
      assert.equal(events[0]?.details.method, name);
    }
  });

  it("signs in to the same account the next time, matched by provider user id even after the email changed", async () => {
    const gh = emu.byName.github;
    await viaProvider(new TestClient(t.baseUrl), gh, { login: "returning", email: "returning@example.test", emailVerified: true });
    const second = new TestClient(t.baseUrl);
    const res = await viaProvider(second, gh, { login: "returning", email: "changed@example.test", emailVerified: true });
    // The "about you" step was neither finished nor skipped the first time, so it is offered again.
    assert.equal(res.location, "/welcome");
    assert.equal(await signedInAs(second), "returning");
    assert.equal((await db("users").count({ n: "*" }))[0]!.n, 1);
  });

  it("picks a free variant when the provider's name is taken or reserved as a username", async () => {
    await buildUser({ username: "taken-name" });
    const client = new TestClient(t.baseUrl);
    await viaProvider(client, emu.byName.gitlab, { login: "taken_name", email: "someone-else@example.test", emailVerified: true });
    assert.ok(await findUserByUsername("taken-name-2"));
    const admin = new TestClient(t.baseUrl);
    await viaProvider(admin, emu.byName.github, { login: "admin", email: "admin-person@example.test", emailVerified: true });
    assert.ok(await findUserByUsername("admin-2"));
  });

  it("never signs in to or joins an existing account whose email the provider reports as verified (classic-federated merge)", async () => {
    // An attacker pre-registered the victim's address with a password and never confirmed it.
    const squatter = await buildUser({ username: "squatter", email: "victim@example.test", confirmed: false });
    const victim = new TestClient(t.baseUrl);
    const res = await viaProvider(victim, emu.byName.google, { login: "victim", name: "Victim", email: "victim@example.test", emailVerified: true });
    assert.equal(res.status, 409);
    assert.match(res.html, /already uses <strong>victim@example.test<\/strong>/);
    assert.match(res.html, /Sign in to that account first/);
    assert.equal(await signedInAs(victim), undefined);
    assert.deepEqual(await listIdentitiesForUser(squatter.id), []);
    assert.equal((await db("identities").count({ n: "*" }))[0]!.n, 0);
  });

  it("ignores an unverified provider email that matches an account (non-verifying IdP): no link, no sign-in", async () => {
    const owner = await buildUser({ username: "owner", email: "owner@example.test" });
    for (const name of ALL) {
      const attacker = new TestClient(t.baseUrl);
      const res = await viaProvider(attacker, emu.byName[name], { login: `evil-${name}`, email: "owner@example.test", emailVerified: false });
      assert.equal(res.status, 302, name);
      assert.equal(res.location, `/auth/${name}/email`, `${name}: asked for an address instead`);
      assert.equal(await signedInAs(attacker), undefined);
      const form = await attacker.get(`/auth/${name}/email`);
      assert.doesNotMatch(form.html, /owner@example.test/, "the unverified address is not even kept");
    }
    assert.deepEqual(await listIdentitiesForUser(owner.id), []);
  });

  it("asks for an address when the provider has no verified one; the account stays unconfirmed until the mailed link is used", async () => {
    const client = new TestClient(t.baseUrl);
    const res = await viaProvider(client, emu.byName.atlassian, { login: "no.mail", name: "No Mail", email: null, emailVerified: false });
    assert.equal(res.location, "/auth/atlassian/email");
    const bad = await client.submit("/auth/atlassian/email", { email: "not-an-address" });
    assert.equal(bad.status, 422);
    assert.match(fieldError(bad.html, "email") ?? "", /valid email/);
    assert.equal(inputValue(bad.html, "email"), "not-an-address");
    const done = await client.submit("/auth/atlassian/email", { email: "typed@example.test" });
    assert.equal(done.status, 200);
    assert.match(done.html, /Check your email/);
    const user = await findUserByEmail("typed@example.test");
    assert.equal(user?.username, "no-mail");
    assert.equal(user?.email_confirmed_at, null);
    assert.equal((await listIdentitiesForUser(user.id)).length, 1);

    const mail = await t.mailbox.waitFor("typed@example.test", (m) => /Confirm/.test(m.subject));
    const confirmPath = new URL(linkIn(mail, "/email/confirm/")).pathname;
    const confirmed = await client.submit(confirmPath, {});
    assert.equal(confirmed.status, 302);
    const again = new TestClient(t.baseUrl);
    await viaProvider(again, emu.byName.atlassian, { login: "no.mail", email: null, emailVerified: false });
    assert.equal(await signedInAs(again), "no-mail");
    assert.ok((await findUserByEmail("typed@example.test"))?.email_confirmed_at);
  });

  it("answers an address that already has an account like a new one, and tells the owner instead of linking", async () => {
    const owner = await buildUser({ username: "held", email: "held@example.test" });
    const client = new TestClient(t.baseUrl);
    await viaProvider(client, emu.byName.github, { login: "someone", email: null, emailVerified: false });
    const res = await client.submit("/auth/github/email", { email: "held@example.test" });
    assert.equal(res.status, 200);
    assert.match(res.html, /Check your email/);
    const notice = await t.mailbox.waitFor("held@example.test");
    assert.match(notice.subject, /tried to sign up/);
    assert.deepEqual(await listIdentitiesForUser(owner.id), []);
    assert.equal(await signedInAs(client), undefined);
  });

  it("rejects a replayed, foreign, forged or missing state with a friendly page", async () => {
    const gh = emu.byName.github;
    const client = new TestClient(t.baseUrl);
    const authorize = await startProviderFlow(client, "github");
    const callback = await gh.decide(authorize, "approve", { login: "replay", email: "replay@example.test", emailVerified: true });

    const stranger = new TestClient(t.baseUrl);
    const foreign = await followCallback(stranger, callback);
    assert.equal(foreign.status, 400, "another browser cannot use the callback");
    assert.match(foreign.html, /expired/);

    assert.equal((await followCallback(client, callback)).status, 302);
    await client.submit("/", {}, "/logout");
    const replay = await followCallback(client, callback);
    assert.equal(replay.status, 400);
    assert.equal(await signedInAs(client), undefined);

    const forgedClient = new TestClient(t.baseUrl);
    const forgedAuthorize = new URL(await startProviderFlow(forgedClient, "github"));
    forgedAuthorize.searchParams.set("state", "attacker-chosen-state");
    const forged = await followCallback(forgedClient, await gh.decide(forgedAuthorize.toString(), "approve", { login: "forged" }));
    assert.equal(forged.status, 400);
    assert.match(forged.html, /could not be verified/);

    const missing = await new TestClient(t.baseUrl).get("/auth/github/callback?code=abc&state=def");
    assert.equal(missing.status, 400);
  });

  it("shows a friendly page for denied consent, a bad code and a provider that is down, never a 500", async () => {
    const gl = emu.byName.gitlab;
    const denied = await viaProvider(new TestClient(t.baseUrl), gl, { login: "denier" }, { decision: "deny" });
    assert.equal(denied.status, 400);
    assert.match(denied.html, /sign-in cancelled/);
    assert.match(denied.html, /href="\/login">Try again/);

    const client = new TestClient(t.baseUrl);
    const callback = new URL(await gl.decide(await startProviderFlow(client, "gitlab"), "approve", { login: "badcode" }));
    callback.searchParams.set("code", "not-a-real-code");
    const badCode = await followCallback(client, callback.toString());
    assert.equal(badCode.status, 400, "a bad code is what the browser sent, not a provider failure");
    assert.match(badCode.html, /already used, has expired or is not valid/);
    // GitHub reports a bad code with HTTP 200 and an error field: the same answer.
    const ghClient = new TestClient(t.baseUrl);
    const ghCallback = new URL(await emu.byName.github.decide(await startProviderFlow(ghClient, "github"), "approve", { login: "badcode" }));
    ghCallback.searchParams.set("code", "not-a-real-code");
    const ghBadCode = await followCallback(ghClient, ghCallback.toString());
    assert.equal(ghBadCode.status, 400);
    assert.match(ghBadCode.html, /already used, has expired or is not valid/);

    for (const name of ["github", "google"] as const) {
      emu.byName[name].failUserApi = true;
      try {
        const down = await viaProvider(new TestClient(t.baseUrl), emu.byName[name], { login: "outage" });
        assert.equal(down.status, 502, name);
        assert.match(down.html, /could not be reached/);
      } finally {
        emu.byName[name].failUserApi = false;
      }
    }
    assert.equal((await db("users").count({ n: "*" }))[0]!.n, 0);
  });

  it("links once per account and provider: a repeated or a second link flow coming back late changes nothing", async () => {
    const user = await buildUser({ username: "twice" });
    const [tabA, tabB, tabC] = await Promise.all([1, 2, 3].map(() => loginAs(t.baseUrl, user)));
    const gh = emu.byName.github;
    const flowA = await startProviderFlow(tabA, "github", "/settings/identities", "link");
    const flowB = await startProviderFlow(tabB, "github", "/settings/identities", "link");
    const flowC = await startProviderFlow(tabC, "github", "/settings/identities", "link");
    const backA = await gh.decide(flowA, "approve", { login: "twice-gh" });
    const backB = await gh.decide(flowB, "approve", { login: "twice-gh" });
    const backC = await gh.decide(flowC, "approve", { login: "twice-other-gh" });
    await followCallback(tabA, backA);
    await followCallback(tabB, backB);
    assert.match((await tabB.get("/settings/identities")).html, /GitHub account twice-gh was already connected/);
    await followCallback(tabC, backC);
    assert.match((await tabC.get("/settings/identities")).html, /Another GitHub account is already connected/);
    const identities = await listIdentitiesForUser(user.id);
    assert.deepEqual(identities.map((i) => i.provider_username), ["twice-gh"]);
    assert.equal((await db("security_events").where({ user_id: user.id, action: "identity.linked" })).length, 1);
  });
});
