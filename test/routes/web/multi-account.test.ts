import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type session from "express-session";
import { db } from "../../../src/db/knex";
import { SESSION_COOKIE } from "../../../src/http/session";
import { PgSessionStore } from "../../../src/http/session-store";
import { useTestApp } from "../../helpers/app";
import { TestClient, csrfTokenFor, pageCsrfToken, signedInAs, type Page } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { enableTwoFactor, submitCode, submitPassword, totpCode } from "../../helpers/two-factor";

const ACCOUNTS_COOKIE = "gatehouse.accounts";

/**
 * The session store with a gate on reads: a read of a session named in `gates` waits, after the
 * database answered, until the test releases it, so a switch is certain to be in flight while the
 * session it switches to is revoked.
 */
class GatedStore extends PgSessionStore {
  static readonly gates = new Map<string, { entered: () => void; released: Promise<void> }>();

  override get(sid: string, cb: (err: unknown, sess?: session.SessionData | null) => void): void {
    const gate = GatedStore.gates.get(sid);
    if (!gate) return super.get(sid, cb);
    GatedStore.gates.delete(sid);
    super.get(sid, (err, sess) => {
      gate.entered();
      void gate.released.then(() => cb(err, sess));
    });
  }
}

/** Holds the next read of this session until `release()`; `entered` resolves once it is held. */
function stallNextRead(sid: string) {
  let entered!: () => void;
  let release!: () => void;
  const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  GatedStore.gates.set(sid, { entered, released });
  return { entered: enteredPromise, release };
}

/** The express-session id inside a signed session cookie. */
function sidOf(client: TestClient): string {
  return decodeURIComponent(client.cookie(SESSION_COOKIE)!).replace(/^s:/, "").split(".")[0]!;
}

/** "Add another account" from the user menu, then the sign-in form as `user`; returns the sign-in's answer. */
async function addAccount(client: TestClient, user: { username: string; password: string }): Promise<Page> {
  const added = await client.submit("/", {}, "/accounts/add");
  assert.equal(added.status, 302, `adding answered ${added.status}`);
  assert.equal(added.location, "/login");
  return client.submit("/login", { login: user.username, password: user.password });
}

/** The switch form of `username` in the user menu of `page`: its action's CSRF token and account field. */
function switchFields(page: Page, username: string): Record<string, string> {
  const form = page.html.split(/<form\b/).find((f) => f.includes('action="/accounts/switch"') && f.includes(`<strong>${username}</strong>`));
  assert.ok(form, `no switch form for ${username} on the page`);
  return { _csrf: form.match(/name="_csrf" value="([^"]+)"/)![1]!, account: form.match(/name="account" value="([^"]+)"/)![1]! };
}

/** Switches to `username` through the user menu of the home page. */
async function switchTo(client: TestClient, username: string): Promise<Page> {
  const home = await client.get("/");
  const res = await client.postRaw("/accounts/switch", switchFields(home, username));
  assert.equal(res.status, 302, `switching answered ${res.status}`);
  return res;
}

/** The usernames the user menu of the home page offers to switch to. */
async function menuAccounts(client: TestClient): Promise<string[]> {
  const home = await client.get("/");
  return [...home.html.matchAll(/<span class="visually-hidden">Switch to <\/span><strong>([^<]+)<\/strong>/g)].map((m) => m[1]!);
}

async function liveSessionCount(userId: number): Promise<number> {
  const row = await db("sessions").where({ user_id: userId }).whereNull("ended_at").count("* as n").first();
  return Number(row!.n);
}

describe("several accounts in one browser", () => {
  const t = useTestApp({ RATE_LIMIT_LOGIN_PER_IP: "1000" }, { SessionStore: GatedStore });

  it("adds a second account without signing out of the first, and switches between them", async () => {
    const alice = await buildUser({ username: "alice", displayName: "Alice Liddell" });
    const bob = await buildUser({ username: "bob" });
    const client = await loginAs(t.baseUrl, alice);
    const aliceSid = sidOf(client);

    const signIn = await addAccount(client, bob);
    assert.equal(signIn.status, 302);
    assert.equal(await signedInAs(client), "bob");
    assert.notEqual(sidOf(client), aliceSid, "bob has a session of his own");
    assert.deepEqual(await menuAccounts(client), ["alice"]);
    const home = await client.get("/");
    assert.match(home.html, /Alice Liddell/, "the menu shows the other account's name too");
    assert.match(home.html, /Sign out of bob/);
    assert.match(home.html, /Sign out of all accounts/);
    assert.ok(!home.html.includes(aliceSid), "no page holds another session's id");

    // The list cookie is HttpOnly, so no script reads alice's session id.
    const switched = await client.postRaw("/accounts/switch", switchFields(home, "alice"));
    const setCookie = switched.headers.getSetCookie().find((c) => c.startsWith(`${ACCOUNTS_COOKIE}=`));
    assert.ok(setCookie, "switching rewrites the list");
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.equal(sidOf(client), aliceSid, "alice's own session is in use again, not a copy");
    const after = await client.get("/");
    assert.match(after.html, /You are now using alice\./);
    assert.equal(await signedInAs(client), "alice");
    assert.deepEqual(await menuAccounts(client), ["bob"]);
    assert.equal(await liveSessionCount(alice.id), 1);
    assert.equal(await liveSessionCount(bob.id), 1);
  });

  it("shows each account only its own sessions", async () => {
    const alice = await buildUser({ username: "alice" });
    const bob = await buildUser({ username: "bob" });
    const client = await loginAs(t.baseUrl, alice);
    await loginAs(t.baseUrl, alice);
    await addAccount(client, bob);
    const bobsPage = await client.get("/settings/sessions");
    assert.equal((bobsPage.html.match(/<tbody>[\s\S]*?<\/tbody>/)![0].match(/<tr\b/g) ?? []).length, 1, "bob sees his one session");
    assert.match(bobsPage.html, /This device/);
    await switchTo(client, "alice");
    const alicesPage = await client.get("/settings/sessions");
    assert.equal((alicesPage.html.match(/<tbody>[\s\S]*?<\/tbody>/)![0].match(/<tr\b/g) ?? []).length, 2, "alice sees her two sessions");
  });

  it("holds at most five accounts and refuses the sixth with a clear message", async () => {
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => buildUser({ username: `member${i}` })));
    const client = await loginAs(t.baseUrl, users[0]!);
    for (const user of users.slice(1, 5)) assert.equal((await addAccount(client, user)).status, 302);
    assert.equal(await signedInAs(client), "member5");
    assert.deepEqual(await menuAccounts(client), ["member4", "member3", "member2", "member1"]);
    const home = await client.get("/");
    assert.doesNotMatch(home.html, /action="\/accounts\/add"/);
    assert.match(home.html, /Signed in to 5 accounts, the most at once\. Sign out of one to add another\./);

    // A client that posts the form anyway is refused, and nothing changes.
    const refused = await client.postRaw("/accounts/add", { _csrf: pageCsrfToken(home.html) });
    assert.equal(refused.status, 409);
    assert.match(refused.html, /You are signed in to 5 accounts in this browser, the most it can hold at once\. Sign out of one of them to add another\./);
    assert.equal(await signedInAs(client), "member5");
    assert.equal((await menuAccounts(client)).length, 4);
  });

  it("just switches when the account added is already signed in in this browser", async () => {
    const alice = await buildUser({ username: "alice" });
    const bob = await buildUser({ username: "bob" });
    const client = await loginAs(t.baseUrl, alice);
    const aliceSid = sidOf(client);
    await addAccount(client, bob);
    const again = await addAccount(client, alice);
    assert.equal(again.status, 302);
    assert.equal(sidOf(client), aliceSid, "alice's session is in use, no second one was made");
    assert.match((await client.get("/")).html, /You were already signed in as alice in this browser; you are now using that account\./);
    assert.equal(await liveSessionCount(alice.id), 1);
    assert.deepEqual(await menuAccounts(client), ["bob"]);
  });

  it("adds an account with two-factor authentication through its second step", async () => {
    const alice = await buildUser({ username: "alice" });
    const bob = await buildUser({ username: "bob" });
    const setup = await loginAs(t.baseUrl, bob);
    const { secret } = await enableTwoFactor(setup);

    const client = await loginAs(t.baseUrl, alice);
    const added = await client.submit("/", {}, "/accounts/add");
    assert.equal(added.location, "/login");
    const login = await client.get("/login");
    assert.match(login.html, /Adding an account: this browser stays signed in to alice\./);
    const first = await submitPassword(client, bob);
    assert.equal(first.location, "/login/two-factor");
    assert.equal(await signedInAs(client), undefined, "held at the second step, no account in use");
    const done = await submitCode(client, totpCode(secret, 1));
    assert.equal(done.status, 302);
    assert.equal(await signedInAs(client), "bob");
    assert.deepEqual(await menuAccounts(client), ["alice"]);
  });

  it("ends a sign-in left at the second step when switching back, and refuses its form afterwards", async () => {
    const alice = await buildUser({ username: "alice" });
    const bob = await buildUser({ username: "bob" });
    const { secret } = await enableTwoFactor(await loginAs(t.baseUrl, bob));
    const client = await loginAs(t.baseUrl, alice);
    await client.submit("/", {}, "/accounts/add");
    await submitPassword(client, bob);
    const step = await client.get("/login/two-factor");
    assert.equal(step.status, 200);
    const heldSid = sidOf(client);

    const back = await client.postRaw("/accounts/switch", switchFields(step, "alice"));
    assert.equal(back.status, 302);
    assert.equal(await signedInAs(client), "alice");
    assert.ok((await db("sessions").where({ sid: heldSid }).first()).ended_at, "the held sign-in ended");

    const late = await client.postRaw("/login/two-factor", { _csrf: csrfTokenFor(step.html, "/login/two-factor"), code: totpCode(secret, 1) });
    assert.equal(late.status, 403);
    assert.match(late.html, /This form was opened while no account was signed in,\s*you are now using <strong>alice<\/strong>;\s*nothing was changed\./);
    assert.equal(await signedInAs(client), "alice");
    assert.equal(await liveSessionCount(bob.id), 1, "bob has only the session he set 2FA up in");
  });

  it("refuses a form opened as one account and sent after switching to another, from a plain HTTP client", async () => {
    const alice = await buildUser({ username: "alice", displayName: "Alice" });
    const bob = await buildUser({ username: "bob", displayName: "Bob" });
    const client = await loginAs(t.baseUrl, alice);
    await addAccount(client, bob);
    await switchTo(client, "alice");
    const alicesForm = await client.get("/settings/profile");
    await switchTo(client, "bob");

    for (const cookieFresh of [false, true]) {
      // Sent at once after the switch (the CSRF cookie still alice's), and after bob loaded a page.
      if (cookieFresh) await client.get("/settings/profile");
      const res = await client.postRaw("/settings/profile", { _csrf: csrfTokenFor(alicesForm.html, "/settings/profile"), display_name: "Changed", bio: "" });
      assert.equal(res.status, 403);
      assert.match(res.html, /This form was opened as <strong>alice<\/strong>,\s*you are now using <strong>bob<\/strong>;\s*nothing was changed\./);
      assert.match(res.html, /Switch back to alice/);
    }
    assert.equal((await db("users").where({ id: bob.id }).first()).display_name, "Bob");
    assert.equal((await db("users").where({ id: alice.id }).first()).display_name, "Alice");

    // The page's own way back works: its switch form carries bob's token.
    const refusal = await client.postRaw("/settings/profile", { _csrf: csrfTokenFor(alicesForm.html, "/settings/profile"), display_name: "Changed", bio: "" });
    const back = await client.postRaw("/accounts/switch", { _csrf: csrfTokenFor(refusal.html, "/accounts/switch"), account: refusal.html.match(/name="account" value="([^"]+)"/)![1]! });
    assert.equal(back.status, 302);
    assert.equal(await signedInAs(client), "alice");

    // A form sent with no token or a made-up one is the ordinary CSRF refusal.
    for (const fields of [{}, { _csrf: "made-up.token" }] as Record<string, string>[]) {
      const res = await client.postRaw("/settings/profile", { ...fields, display_name: "Changed", bio: "" });
      assert.equal(res.status, 403);
      assert.match(res.html, /This form expired or was not sent from this site/);
    }
  });

  it("refuses a switch form from another account's page, and a switch to a session not in this browser", async () => {
    const alice = await buildUser({ username: "alice" });
    const bob = await buildUser({ username: "bob" });
    const carol = await buildUser({ username: "carol" });
    const client = await loginAs(t.baseUrl, alice);
    await addAccount(client, bob);
    await addAccount(client, carol);
    const carolsPage = await client.get("/");
    await switchTo(client, "bob");
    // carol's menu, opened before switching to bob, offered alice: sending it now is refused.
    const stale = await client.postRaw("/accounts/switch", switchFields(carolsPage, "alice"));
    assert.equal(stale.status, 403);
    assert.match(stale.html, /This form was opened as <strong>carol<\/strong>,\s*you are now using <strong>bob<\/strong>/);
    assert.equal(await signedInAs(client), "bob");

    // Someone else's session, named by its public id: this browser does not hold it.
    const elsewhere = await loginAs(t.baseUrl, await buildUser({ username: "dave" }));
    const dave = await db("sessions").where({ sid: sidOf(elsewhere) }).first();
    const home = await client.get("/");
    const res = await client.postRaw("/accounts/switch", { _csrf: pageCsrfToken(home.html), account: dave.public_id });
    assert.equal(res.status, 302);
    assert.match((await client.get("/")).html, /That account is no longer signed in in this browser\./);
    assert.equal(await signedInAs(client), "bob");
  });

  it("ignores a list cookie that was edited, and never lists a session it did not sign", async () => {
    const alice = await buildUser({ username: "alice" });
    const bob = await buildUser({ username: "bob" });
    const victim = await loginAs(t.baseUrl, await buildUser({ username: "victim" }));
    const client = await loginAs(t.baseUrl, alice);
    await addAccount(client, bob);
    const [sids, mac] = [client.cookie(ACCOUNTS_COOKIE)!.split(".").slice(0, -1), client.cookie(ACCOUNTS_COOKIE)!.split(".").at(-1)!];
    client.setCookie(ACCOUNTS_COOKIE, [...sids, sidOf(victim), mac].join("."));
    assert.deepEqual(await menuAccounts(client), []);
    assert.equal(client.cookie(ACCOUNTS_COOKIE), undefined, "the edited list was removed");
  });

  describe("signing out", () => {
    it("signs out of this account and goes on with the most recent other one", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const carol = await buildUser({ username: "carol" });
      const client = await loginAs(t.baseUrl, alice);
      await addAccount(client, bob);
      await addAccount(client, carol);
      const out = await client.submit("/", { scope: "this" }, "/logout");
      assert.equal(out.location, "/");
      assert.match((await client.get("/")).html, /You signed out of carol\. You are now using bob\./);
      assert.equal(await signedInAs(client), "bob");
      assert.deepEqual(await menuAccounts(client), ["alice"]);
      assert.equal(await liveSessionCount(carol.id), 0);
      assert.equal(await liveSessionCount(alice.id), 1);
    });

    it("signs out of every account at once", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const client = await loginAs(t.baseUrl, alice);
      await addAccount(client, bob);
      const out = await client.submit("/", { scope: "all" }, "/logout");
      assert.equal(out.location, "/login");
      assert.match((await client.get("/login")).html, /You have signed out of every account\./);
      assert.equal(await signedInAs(client), undefined);
      assert.deepEqual(await menuAccounts(client), []);
      assert.equal(client.cookie(ACCOUNTS_COOKIE), undefined);
      assert.equal(await liveSessionCount(alice.id), 0);
      assert.equal(await liveSessionCount(bob.id), 0);
    });

    it("signs out of every held account while none is in use", async () => {
      const alice = await buildUser({ username: "alice" });
      const client = await loginAs(t.baseUrl, alice);
      await client.submit("/", {}, "/accounts/add");
      const out = await client.submit("/login", { scope: "all" }, "/logout");
      assert.equal(out.location, "/login");
      assert.match((await client.get("/login")).html, /You have signed out of every account\./);
      assert.deepEqual(await menuAccounts(client), []);
      assert.equal(await liveSessionCount(alice.id), 0);
    });

    it("keeps the single-account menu as it was", async () => {
      const client = await loginAs(t.baseUrl, await buildUser({ username: "alice" }));
      const home = await client.get("/");
      assert.match(home.html, />Sign out<\/button>/);
      assert.doesNotMatch(home.html, /Sign out of all accounts|Switch account/);
      assert.equal(client.cookie(ACCOUNTS_COOKIE), undefined);
    });
  });

  describe("each account's session ends on its own", () => {
    it("a revoked session leaves the browser's other accounts signed in", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const client = await loginAs(t.baseUrl, alice);
      const alicesLaptop = await loginAs(t.baseUrl, alice);
      await addAccount(client, bob);
      // alice, from her laptop, signs out the session this browser holds for her.
      const page = await alicesLaptop.get("/settings/sessions");
      const action = page.html.match(/action="(\/settings\/sessions\/[^"]+\/revoke)"/)![1]!;
      assert.equal((await alicesLaptop.postRaw(action, { _csrf: csrfTokenFor(page.html, action) })).status, 302);
      assert.equal(await signedInAs(client), "bob");
      assert.deepEqual(await menuAccounts(client), [], "the ended session is dropped from the list");
      // And the other way round: bob's session in use revoked, alice's laptop untouched.
      const bobsLaptop = await loginAs(t.baseUrl, bob);
      assert.equal((await bobsLaptop.submit("/settings/sessions", {}, "/settings/sessions/revoke-others")).status, 302);
      assert.equal(await signedInAs(client), undefined);
      assert.equal(await signedInAs(alicesLaptop), "alice");
    });

    it("a password change of one account signs out only that account's other sessions", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const client = await loginAs(t.baseUrl, alice);
      await addAccount(client, bob);
      const alicesLaptop = await loginAs(t.baseUrl, alice);
      const changed = await alicesLaptop.submit("/settings/password", { password: "a brand new passphrase", password_confirmation: "a brand new passphrase" });
      assert.equal(changed.status, 302);
      assert.equal(await signedInAs(client), "bob");
      assert.deepEqual(await menuAccounts(client), []);
      // bob changes his password in this browser: his session stays in use (with a new id), alice's laptop is untouched.
      await addAccount(client, { username: "alice", password: "a brand new passphrase" });
      await switchTo(client, "bob");
      const bobChanged = await client.submit("/settings/password", { password: "another new passphrase", password_confirmation: "another new passphrase" });
      assert.equal(bobChanged.status, 302);
      assert.equal(await signedInAs(client), "bob");
      assert.deepEqual(await menuAccounts(client), ["alice"]);
    });

    it("deleting one account leaves the others in the browser signed in", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const client = await loginAs(t.baseUrl, alice);
      await addAccount(client, bob);
      const deleted = await client.submit("/settings/account", { username_confirmation: "bob" }, "/settings/account/delete");
      assert.equal(deleted.status, 302);
      assert.equal(await signedInAs(client), undefined);
      assert.deepEqual(await menuAccounts(client), ["alice"]);
      await switchTo(client, "alice");
      assert.equal(await signedInAs(client), "alice");
    });
  });

  describe("racing requests", () => {
    it("a switch racing the revocation of its target never brings the session back", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const client = await loginAs(t.baseUrl, bob);
      const bobsSid = sidOf(client);
      await addAccount(client, alice);
      const home = await client.get("/");
      const bobsLaptop = await loginAs(t.baseUrl, bob);
      const sessions = await bobsLaptop.get("/settings/sessions");
      const action = sessions.html.match(/action="(\/settings\/sessions\/[^"]+\/revoke)"/)![1]!;

      // The switch has read bob's live session and is held there while the laptop revokes it.
      const gate = stallNextRead(bobsSid);
      const switching = client.postRaw("/accounts/switch", switchFields(home, "bob"));
      await gate.entered;
      assert.equal((await bobsLaptop.postRaw(action, { _csrf: csrfTokenFor(sessions.html, action) })).status, 302);
      gate.release();
      assert.equal((await switching).status, 302);

      assert.equal(await signedInAs(client), undefined, "the revoked session stays ended");
      assert.ok((await db("sessions").where({ sid: bobsSid }).first()).ended_at);
      assert.deepEqual(await menuAccounts(client), ["alice"], "alice is still held");
      await switchTo(client, "alice");
      assert.equal(await signedInAs(client), "alice");
    });

    it("a page view that finds an ended session, answered after a switch in another tab, forgets no account", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const carol = await buildUser({ username: "carol" });
      const client = await loginAs(t.baseUrl, carol);
      const carolsSid = sidOf(client);
      await addAccount(client, alice);
      await addAccount(client, bob);
      const bobsSid = sidOf(client);
      const home = await client.get("/");
      await db("sessions").where({ sid: carolsSid }).update({ ended_at: new Date() });

      // A page view sent with the cookies of before the switch, answered after it.
      const gate = stallNextRead(bobsSid);
      const pageView = client.get("/settings/profile");
      await gate.entered;
      assert.equal((await client.postRaw("/accounts/switch", switchFields(home, "alice"))).status, 302);
      gate.release();
      assert.equal((await pageView).status, 200);

      assert.equal(await signedInAs(client), "alice");
      assert.deepEqual(await menuAccounts(client), ["bob"], "bob is still held, carol is gone");
    });

    it("a sign-in answered after a switch in another tab keeps the account switched to", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const client = await loginAs(t.baseUrl, alice);
      await client.submit("/", {}, "/accounts/add");
      const login = await client.get("/login");
      const menu = await client.get("/");
      // The browser holds no session row while adding: the gate holds the sign-in's first read of its cookie's id.
      const gate = stallNextRead(sidOf(client));
      const signIn = client.postRaw("/login", { _csrf: csrfTokenFor(login.html, "/login"), login: bob.username, password: bob.password });
      await gate.entered;
      assert.equal((await client.postRaw("/accounts/switch", switchFields(menu, "alice"))).status, 302);
      gate.release();
      assert.equal((await signIn).status, 302);

      assert.equal(await signedInAs(client), "bob", "the sign-in answered last");
      assert.deepEqual(await menuAccounts(client), ["alice"], "alice is still held");
    });

    it("parallel switches and revocations leave every session either in use, listed or ended", async () => {
      const alice = await buildUser({ username: "alice" });
      const bob = await buildUser({ username: "bob" });
      const client = await loginAs(t.baseUrl, alice);
      await addAccount(client, bob);
      const alicesLaptop = await loginAs(t.baseUrl, alice);
      const home = await client.get("/");
      const sessions = await alicesLaptop.get("/settings/sessions");
      const action = sessions.html.match(/action="(\/settings\/sessions\/[^"]+\/revoke)"/)![1]!;
      const results = await Promise.all([
        client.postRaw("/accounts/switch", switchFields(home, "alice")),
        client.postRaw("/accounts/switch", switchFields(home, "alice")),
        alicesLaptop.postRaw(action, { _csrf: csrfTokenFor(sessions.html, action) }),
      ]);
      for (const res of results) assert.equal(res.status, 302);
      assert.equal(await liveSessionCount(alice.id), 1, "only the laptop's session of alice is live");
      const now = await signedInAs(client);
      assert.ok(now === undefined || now === "bob", `the browser is not using the revoked session (${now})`);
      assert.ok(!(await menuAccounts(client)).includes("alice"));
      const bobListed = (await menuAccounts(client)).includes("bob");
      assert.ok(now === "bob" || bobListed, "bob is still in use or held");
    });
  });
});
