import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { TestClient, fieldError, inputValue, pageCsrfToken, signedInAs } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { buildOrg } from "../../helpers/orgs";
import { db } from "../../../src/db/knex";
import { findUserByUsername } from "../../../src/db/users";
import { SESSION_COOKIE } from "../../../src/http/session";
import { WELCOME_NEXT_PATH } from "../../../src/routes/web/welcome";

const PASSWORD = "a long and quiet harbour";

describe("first run", () => {
  const t = useTestApp();

  /** Signs `username` up in `client` and returns the path of the confirmation link mailed to `email`. */
  async function signUp(client: TestClient, username: string, email = `${username}@example.test`, next?: string): Promise<string> {
    const res = await client.submit(next ? `/signup?next=${encodeURIComponent(next)}` : "/signup", { username, email, password: PASSWORD, ...(next ? { next } : {}) }, "/signup");
    assert.equal(res.status, 200);
    const mail = await t.mailbox.waitFor(email, (m) => /Confirm your email/.test(m.subject));
    return new URL(linkIn(mail, "/email/confirm/")).pathname;
  }

  describe("confirming the address", () => {
    it("signs in the browser that signed up, with a new session id, and starts the about-you step", async () => {
      const browser = new TestClient(t.baseUrl);
      const link = await signUp(browser, "ana");
      const page = await browser.get(link);
      assert.match(page.html, /ana@example\.test/, "the page shows the address it confirms");
      const before = browser.cookie(SESSION_COOKIE);
      const res = await browser.submit(link, {});
      assert.equal(res.status, 302);
      assert.equal(res.location, "/welcome");
      assert.ok(browser.cookie(SESSION_COOKIE), "a session cookie is set");
      assert.notEqual(browser.cookie(SESSION_COOKIE), before, "the session id changes at sign-in");
      assert.equal(await signedInAs(browser), "ana");
      const events = await db("security_events").where({ action: "sign_in" }).pluck("details");
      assert.deepEqual(events, [{ method: "email_confirmation" }]);
    });

    it("does not sign in a browser without the sign-up's session, and fills in the username there", async () => {
      const link = await signUp(new TestClient(t.baseUrl), "ana");
      const elsewhere = new TestClient(t.baseUrl);
      const res = await elsewhere.submit(link, {});
      assert.equal(res.location, "/login");
      assert.equal(await signedInAs(elsewhere), undefined);
      assert.equal((await findUserByUsername("ana"))!.email_confirmed_at instanceof Date, true);
      const login = await elsewhere.get("/login");
      assert.equal(inputValue(login.html, "login"), "ana");
      assert.doesNotMatch(login.html, /Welcome back/, "a first sign-in is no return");
      assert.equal(inputValue((await elsewhere.get("/login")).html, "login"), "", "the name is shown once");
    });

    it("does not sign in a sign-up session of another account that holds the link", async () => {
      const link = await signUp(new TestClient(t.baseUrl), "ana");
      const other = new TestClient(t.baseUrl);
      await signUp(other, "bea");
      const res = await other.submit(link, {});
      assert.equal(res.location, "/login");
      assert.equal(await signedInAs(other), undefined);
    });

    it("signs in once when the sign-up browser sends the link twice at the same time", async () => {
      const browser = new TestClient(t.baseUrl);
      const link = await signUp(browser, "ana");
      const token = pageCsrfToken((await browser.get(link)).html);
      const answers = await Promise.all([browser.postRaw(link, { _csrf: token }), browser.postRaw(link, { _csrf: token })]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [302, 410]);
      assert.equal(await db("security_events").where({ action: "sign_in" }).count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 1);
    });

    it("writes the same cookies whether or not the address already had an account", async () => {
      await buildUser({ username: "owner", email: "taken@example.test" });
      const fresh = new TestClient(t.baseUrl);
      const taken = new TestClient(t.baseUrl);
      await fresh.get("/signup");
      await taken.get("/signup");
      const a = await fresh.submit("/signup", { username: "ana", email: "ana@example.test", password: PASSWORD });
      const b = await taken.submit("/signup", { username: "bea", email: "taken@example.test", password: PASSWORD });
      assert.equal(a.status, b.status);
      const names = (page: typeof a) => page.headers.getSetCookie().map((c) => c.split("=")[0]).sort();
      assert.deepEqual(names(a), names(b));
    });
  });

  describe("the about-you step", () => {
    async function newAccount(): Promise<TestClient> {
      const browser = new TestClient(t.baseUrl);
      await browser.submit(await signUp(browser, "ana"), {});
      return browser;
    }

    it("saves the answers once and leads to choosing an organization", async () => {
      const browser = await newAccount();
      const page = await browser.get("/welcome");
      assert.equal(page.status, 200);
      assert.match(page.html, /What do you work on\?/);
      const res = await browser.submit("/welcome", { display_name: "Ana Lima", bio: "Build pipelines" });
      assert.equal(res.location, WELCOME_NEXT_PATH);
      const user = (await findUserByUsername("ana"))!;
      assert.equal(user.display_name, "Ana Lima");
      assert.equal(user.bio, "Build pipelines");
      assert.ok(user.welcomed_at);
      assert.equal((await browser.get("/welcome")).location, "/", "shown once");
      await browser.submit("/", {}, "/logout");
      const again = await loginAs(t.baseUrl, { username: "ana", password: PASSWORD });
      assert.equal((await again.get("/")).status, 200);
    });

    it("can be skipped, saving nothing, and is not shown at the next sign-in", async () => {
      const browser = await newAccount();
      const res = await browser.submit("/welcome", {}, "/welcome/skip");
      assert.equal(res.location, WELCOME_NEXT_PATH);
      const user = (await findUserByUsername("ana"))!;
      assert.equal(user.display_name, "");
      assert.ok(user.welcomed_at);
      const login = await new TestClient(t.baseUrl).submit("/login", { login: "ana", password: PASSWORD });
      assert.equal(login.location, "/");
    });

    it("comes at the first password sign-in when the address was confirmed elsewhere", async () => {
      await new TestClient(t.baseUrl).submit(await signUp(new TestClient(t.baseUrl), "ana"), {});
      const login = await new TestClient(t.baseUrl).submit("/login", { login: "ana", password: PASSWORD, next: "/settings/tokens" });
      assert.equal(login.location, `/welcome?next=${encodeURIComponent("/settings/tokens")}`);
    });

    it("answers bad input with 422 beside the field, keeping what was typed and saving nothing", async () => {
      const browser = await newAccount();
      const res = await browser.submit("/welcome", { display_name: "Ana", bio: "x".repeat(161) });
      assert.equal(res.status, 422);
      assert.ok(fieldError(res.html, "bio"));
      assert.equal(inputValue(res.html, "display_name"), "Ana");
      assert.equal((await findUserByUsername("ana"))!.welcomed_at, null);
    });

    it("is not shown to accounts that existed before it, and asks signed-out visitors to sign in", async () => {
      const old = await buildUser({ username: "old" });
      const login = await new TestClient(t.baseUrl).submit("/login", { login: "old", password: old.password });
      assert.equal(login.location, "/");
      assert.equal((await new TestClient(t.baseUrl).get("/welcome")).location, "/login?next=%2Fwelcome");
    });
  });

  describe("the sign-in form", () => {
    it("greets nobody and fills in nothing for a stranger", async () => {
      const page = await new TestClient(t.baseUrl).get("/login");
      assert.doesNotMatch(page.html, /Welcome back/);
      assert.equal(inputValue(page.html, "login"), "");
    });

    it("welcomes back and fills in the username after signing out in this browser, once", async () => {
      const user = await buildUser({ username: "ana" });
      const client = await loginAs(t.baseUrl, user);
      const out = await client.submit("/settings/profile", {}, "/logout");
      assert.equal(out.location, "/login");
      const page = await client.get("/login");
      assert.match(page.html, /Welcome back\./);
      assert.equal(inputValue(page.html, "login"), "ana");
      assert.equal(inputValue((await client.get("/login")).html, "login"), "");
    });

    it("fills in the username after a password reset", async () => {
      await buildUser({ username: "ana" });
      const client = new TestClient(t.baseUrl);
      await client.submit("/password/forgot", { email: "ana@example.test" });
      const mail = await t.mailbox.waitFor("ana@example.test", (m) => /reset/i.test(m.subject));
      const link = new URL(linkIn(mail, "/password/reset/")).pathname;
      const res = await client.submit(link, { password: "a brand new passphrase", password_confirmation: "a brand new passphrase" });
      assert.equal(res.location, "/login");
      const page = await client.get("/login");
      assert.equal(inputValue(page.html, "login"), "ana");
      assert.match(page.html, /Welcome back\./);
      const used = await new TestClient(t.baseUrl).get(link);
      assert.equal(used.status, 410, "a used reset link says so before any form");
      assert.match(used.html, /This link no longer works/);
      assert.doesNotMatch(used.html, /<input[^>]+name="password"/);
    });
  });

  describe("signing up from an invitation", () => {
    it("names the organization, starts with the invited address, and ends in the organization", async () => {
      const owner = await buildUser({ username: "owner" });
      await buildOrg(owner, { slug: "acme", name: "Acme Corp" });
      const client = await loginAs(t.baseUrl, owner);
      assert.equal((await client.submit("/orgs/acme/invitations", { email: "newbie@example.test", role: "member" })).status, 302);
      const mail = await t.mailbox.waitFor("newbie@example.test", (m) => /invited you to join/.test(m.subject));
      const path = new URL(linkIn(mail, "/invitations/")).pathname;
      const page = await new TestClient(t.baseUrl).get(`/signup?next=${encodeURIComponent(path)}`);
      assert.match(page.html, /join <strong>Acme Corp<\/strong>/);
      assert.equal(inputValue(page.html, "email"), "newbie@example.test");
      const plain = await new TestClient(t.baseUrl).get(`/signup?next=${encodeURIComponent("/invitations/not-a-live-invitation-token")}`);
      assert.doesNotMatch(plain.html, /Acme/);
      assert.equal(inputValue(plain.html, "email"), "");
    });
  });

  describe("correcting an unconfirmed address", () => {
    async function mistyped(username: string): Promise<{ client: TestClient; link: string }> {
      const client = new TestClient(t.baseUrl);
      const link = await signUp(client, username, `${username}@exmaple.test`);
      await loginAs(t.baseUrl, { username, password: PASSWORD }, { client });
      return { client, link };
    }

    it("sends a new link to the new address, kills the old one, and confirms the new address", async () => {
      const { client, link } = await mistyped("ana");
      const res = await client.submit("/", { email: "ana@example.test" }, "/email/address");
      assert.equal(res.location, "/");
      const home = await client.get("/");
      assert.match(home.html, /We sent a confirmation link to <strong>ana@example\.test<\/strong>/);
      const old = await client.get(link);
      assert.equal(old.status, 410, "the link to the mistyped address no longer works");
      assert.match(old.html, /This link no longer works/);
      const mail = await t.mailbox.waitFor("ana@example.test", (m) => /Confirm your email/.test(m.subject));
      const fresh = new URL(linkIn(mail, "/email/confirm/")).pathname;
      assert.match((await client.get(fresh)).html, /ana@example\.test/);
      const done = await client.submit(fresh, {});
      assert.equal(done.status, 302);
      const user = (await findUserByUsername("ana"))!;
      assert.equal(user.email, "ana@example.test");
      assert.ok(user.email_confirmed_at);
    });

    it("answers a taken address exactly like a free one, and mails its owner no link", async () => {
      await buildUser({ username: "owner", email: "taken@example.test" });
      const free = await mistyped("ana");
      const taken = await mistyped("bea");
      const a = await free.client.submit("/", { email: "free@example.test" }, "/email/address");
      const b = await taken.client.submit("/", { email: "taken@example.test" }, "/email/address");
      assert.equal(a.status, b.status);
      assert.equal(a.location, b.location);
      // The page from its messages down (the header names the signed-in user, who differs).
      const normalise = (html: string, address: string) => html.slice(html.indexOf('<main')).replaceAll(pageCsrfToken(html), "CSRF").replaceAll(address, "ADDRESS");
      const pageA = normalise((await free.client.get("/")).html, "free@example.test");
      const pageB = normalise((await taken.client.get("/")).html, "taken@example.test");
      assert.equal(pageA, pageB);
      const notice = await t.mailbox.waitFor("taken@example.test", (m) => /tried to sign up/.test(m.subject));
      assert.doesNotMatch(notice.text, /\/email\/confirm\//);
      assert.equal((await findUserByUsername("bea"))!.email, "bea@exmaple.test", "the account keeps its address until a new one is proven");
      assert.equal((await new TestClient(t.baseUrl).get(taken.link)).status, 410, "the old link no longer works either way");
    });

    it("refuses a malformed address beside the field, keeping it", async () => {
      const { client } = await mistyped("ana");
      const res = await client.submit("/", { email: "not an address" }, "/email/address");
      assert.equal(res.status, 422);
      assert.ok(fieldError(res.html, "email"));
      assert.equal(inputValue(res.html, "email"), "not an address");
    });

    it("is limited per account, together with resending", async () => {
      const { client } = await mistyped("ana");
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await client.submit("/", { email: `ana${i}@example.test` }, "/email/address")).status);
      assert.deepEqual(statuses, [302, 302, 302, 429]);
    });

    it("is refused to signed-out visitors", async () => {
      const stranger = new TestClient(t.baseUrl);
      const page = await stranger.get("/login");
      const res = await stranger.postRaw("/email/address", { _csrf: pageCsrfToken(page.html), email: "x@example.test" });
      assert.equal(res.status, 401);
    });
  });
});
