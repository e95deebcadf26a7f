import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { TestClient, fieldError, pageCsrfToken } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { db } from "../../../src/db/knex";
import { hashToken, randomToken } from "../../../src/lib/tokens";
import { insertIdentity, listIdentitiesForUser } from "../../../src/db/identities";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";

const NEW_PASSWORD = "a brand new passphrase";

describe("password reset", () => {
  const t = useTestApp();

  /** Asks for a reset of `email` and returns the path of the newest reset link mailed to it. */
  async function requestLink(email: string): Promise<string> {
    const before = t.mailbox.to(email).length;
    const res = await new TestClient(t.baseUrl).submit("/password/forgot", { email });
    assert.equal(res.status, 200);
    const deadline = Date.now() + 10_000;
    while (t.mailbox.to(email).length === before) {
      assert.ok(Date.now() < deadline, `no reset mail to ${email}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return new URL(linkIn(t.mailbox.to(email).at(-1)!, "/password/reset/")).pathname;
  }

  function reset(path: string, password = NEW_PASSWORD, confirmation = password, client = new TestClient(t.baseUrl)) {
    return client.submit(path, { password, password_confirmation: confirmation });
  }

  async function canSignIn(login: string, password: string): Promise<boolean> {
    const res = await new TestClient(t.baseUrl).submit("/login", { login, password });
    return res.status === 302;
  }

  it("gives the same answer for a known and an unknown address, and mails only the known one", async () => {
    const user = await buildUser({ email: "ana@example.test" });
    const unknown = await new TestClient(t.baseUrl).submit("/password/forgot", { email: "nobody@example.test" });
    const known = await new TestClient(t.baseUrl).submit("/password/forgot", { email: user.email });
    assert.equal(unknown.status, 200);
    assert.equal(known.status, unknown.status);
    assert.equal(known.html.replace(user.email, "EMAIL"), unknown.html.replace("nobody@example.test", "EMAIL"));
    assert.match(known.html, /If an account uses/);
    const mail = await t.mailbox.waitFor(user.email);
    assert.match(mail.subject, /Reset your Gatehouse password/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(t.mailbox.to("nobody@example.test").length, 0);
    assert.deepEqual(await db("outbound_mails").pluck("to"), [user.email]);
  });

  it("finds the account whatever the case and spacing of the address", async () => {
    const user = await buildUser({ email: "ana@example.test" });
    await new TestClient(t.baseUrl).submit("/password/forgot", { email: "  ANA@Example.TEST " });
    await t.mailbox.waitFor(user.email);
  });

  it("refuses a malformed address beside the field and keeps it", async () => {
    const res = await new TestClient(t.baseUrl).submit("/password/forgot", { email: "not-an-address" });
    assert.equal(res.status, 422);
    assert.ok(fieldError(res.html, "email"));
    assert.match(res.html, /value="not-an-address"/);
  });

  it("sets the new password: the old one stops working, the new one works, a notice is mailed", async () => {
    const user = await buildUser({ email: "ana@example.test" });
    const link = await requestLink(user.email);
    const form = await new TestClient(t.baseUrl).get(link);
    assert.equal(form.status, 200);
    assert.match(form.html, new RegExp(`For <strong>${user.username}</strong>`));
    const res = await reset(link);
    assert.equal(res.status, 302);
    assert.equal(res.location, "/login");
    assert.equal(await canSignIn(user.username, user.password), false);
    assert.equal(await canSignIn(user.username, NEW_PASSWORD), true);
    const notice = await t.mailbox.waitFor(user.email, (m) => /password was changed/.test(m.subject));
    assert.match(notice.text, /was just reset/);
    assert.deepEqual(await db("security_events").where({ user_id: user.id, action: "password.reset" }).pluck("action"), ["password.reset"]);
  });

  it("makes the link work for one hour", async () => {
    const user = await buildUser();
    const before = Date.now();
    await requestLink(user.email);
    const row = await db("email_codes").where({ user_id: user.id, purpose: "password_reset" }).first();
    const minutes = (new Date(row.expires_at).getTime() - before) / 60_000;
    assert.ok(minutes > 59 && minutes <= 60.5, `expires in ${minutes} minutes`);
  });

  it("refuses an expired link, on GET and on POST", async () => {
    const user = await buildUser();
    const link = await requestLink(user.email);
    const form = new TestClient(t.baseUrl);
    const page = await form.get(link);
    assert.equal(page.status, 200);
    await db("email_codes").where({ user_id: user.id, purpose: "password_reset" }).update({ expires_at: db.raw("now() - interval '1 second'") });
    assert.equal((await new TestClient(t.baseUrl).get(link)).status, 410);
    const token = pageCsrfToken(page.html);
    const res = await form.postRaw(link, { _csrf: token, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(res.status, 410);
    assert.match(res.html, /This link no longer works/);
    assert.equal(await canSignIn(user.username, user.password), true);
  });

  it("works once only", async () => {
    const user = await buildUser();
    const link = await requestLink(user.email);
    assert.equal((await reset(link)).status, 302);
    assert.equal((await new TestClient(t.baseUrl).get(link)).status, 410);
    const form = new TestClient(t.baseUrl);
    const token = pageCsrfToken((await form.get("/password/forgot")).html);
    const replay = await form.postRaw(link, { _csrf: token, password: "yet another passphrase", password_confirmation: "yet another passphrase" });
    assert.equal(replay.status, 410);
    assert.equal(await canSignIn(user.username, NEW_PASSWORD), true);
  });

  it("only honours the newest link", async () => {
    const user = await buildUser();
    const first = await requestLink(user.email);
    const second = await requestLink(user.email);
    assert.notEqual(first, second);
    assert.equal((await new TestClient(t.baseUrl).get(first)).status, 410);
    assert.equal((await new TestClient(t.baseUrl).get(second)).status, 200);
  });

  it("refuses made-up tokens", async () => {
    await buildUser();
    assert.equal((await new TestClient(t.baseUrl).get(`/password/reset/${randomToken()}`)).status, 410);
    assert.equal((await new TestClient(t.baseUrl).get("/password/reset/x")).status, 410);
  });

  it("stores only a hash of the token", async () => {
    const user = await buildUser();
    const link = await requestLink(user.email);
    const token = link.split("/").at(-1)!;
    const row = await db("email_codes").where({ user_id: user.id, purpose: "password_reset" }).first();
    assert.deepEqual(row.token_hash, hashToken(token));
    assert.ok(!JSON.stringify(row).includes(token));
  });

  it("asks for the new password twice and keeps the old one until both match", async () => {
    const user = await buildUser();
    const link = await requestLink(user.email);
    const res = await reset(link, NEW_PASSWORD, "a brand new passphrasf");
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, "password_confirmation"), "The two passwords do not match.");
    assert.doesNotMatch(res.html, /a brand new passphras/);
    assert.equal(await canSignIn(user.username, user.password), true);
    assert.equal((await reset(link)).status, 302, "the link still works after a typo");
  });

  it("applies the password rules: length, common passwords, the username", async () => {
    const user = await buildUser({ username: "harbourmaster" });
    const link = await requestLink(user.email);
    const cases: [string, string][] = [
      ["short-pass1", "Use at least 12 characters."],
      ["x".repeat(64) + "y".repeat(65), "Use at most 128 characters."],
      ["password123456", "This password is on a list of commonly used or breached passwords. Choose another."],
      ["the harbourmaster sails", "Your password must not contain your username or email address."],
    ];
    for (const [password, message] of cases) {
      const res = await reset(link, password);
      assert.equal(res.status, 422, password);
      assert.equal(fieldError(res.html, "password"), message, password);
    }
    assert.equal(await canSignIn(user.username, user.password), true);
  });

  it("ends every session of the account, not just this browser's", async () => {
    const user = await buildUser();
    const laptop = await loginAs(t.baseUrl, user);
    const phone = await loginAs(t.baseUrl, user, { remember: true });
    const other = await buildUser();
    const bystander = await loginAs(t.baseUrl, other);
    assert.equal((await laptop.get("/settings/profile")).status, 200);
    const link = await requestLink(user.email);
    assert.equal((await reset(link, NEW_PASSWORD, NEW_PASSWORD, laptop)).status, 302);
    for (const client of [laptop, phone]) {
      const page = await client.get("/settings/profile");
      assert.equal(page.status, 302);
      assert.match(page.location!, /^\/login/);
    }
    assert.equal((await bystander.get("/settings/profile")).status, 200, "other accounts keep their sessions");
    assert.equal((await db("sessions").where({ user_id: user.id }).whereNull("ended_at").count({ n: "*" }))[0]!.n, 0);
  });

  it("cancels pending email changes", async () => {
    const user = await buildUser();
    await db("email_codes").insert({
      user_id: user.id, purpose: "email_change", token_hash: hashToken(randomToken()), email: "attacker@example.test",
      expires_at: db.raw("now() + interval '1 day'"),
    });
    const link = await requestLink(user.email);
    assert.equal((await reset(link)).status, 302);
    // What remains is the "This wasn't me" link of the password-changed notice the reset mailed.
    assert.deepEqual(await db("email_codes").where({ user_id: user.id }).pluck("purpose"), ["not_me"]);
  });

  it("counts as confirming the address of an unconfirmed account", async () => {
    const user = await buildUser({ confirmed: false });
    const link = await requestLink(user.email);
    await reset(link);
    const row = await db("users").where({ id: user.id }).first();
    assert.ok(row.email_confirmed_at);
  });

  it("refuses a reset POST without the CSRF token", async () => {
    const user = await buildUser();
    const link = await requestLink(user.email);
    const client = new TestClient(t.baseUrl);
    await client.get(link);
    const res = await client.postRaw(link, { _csrf: "forged", password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(res.status, 403);
    assert.equal(await canSignIn(user.username, user.password), true);
    assert.equal((await new TestClient(t.baseUrl).get(link)).status, 200, "the link was not used up");
  });

  it("limits reset requests per address with a 429 page", async () => {
    const user = await buildUser();
    const limit = t.config.rateLimits.emailPerAccount;
    for (let i = 0; i < limit; i++) {
      assert.equal((await new TestClient(t.baseUrl).submit("/password/forgot", { email: user.email })).status, 200);
    }
    const res = await new TestClient(t.baseUrl).submit("/password/forgot", { email: user.email.toUpperCase() });
    assert.equal(res.status, 429);
    assert.match(res.html, /Too many attempts/);
    assert.ok(res.headers.get("retry-after"));
  });

  it("limits reset requests per IP with a 429 page, whatever the address", async () => {
    const limit = t.config.rateLimits.emailPerIp;
    for (let i = 0; i < limit; i++) {
      assert.equal((await new TestClient(t.baseUrl).submit("/password/forgot", { email: `someone${i}@example.test` })).status, 200);
    }
    const res = await new TestClient(t.baseUrl).submit("/password/forgot", { email: "fresh@example.test" });
    assert.equal(res.status, 429);
    assert.match(res.html, /Too many attempts/);
  });
  describe("as a recovery: tokens and identities", () => {
    /** The checkboxes the reset form ticks by default, as a browser would post them. */
    function tickedBoxes(html: string): Record<string, string> {
      return Object.fromEntries([...html.matchAll(/<input[^>]*type="checkbox"[^>]*>/g)].filter((m) => / checked/.test(m[0])).map((m) => [m[0].match(/name="([^"]+)"/)![1]!, m[0].match(/value="([^"]+)"/)![1]!]));
    }

    async function withTokenAndIdentity(password: string | null = "correct horse battery staple") {
      const user = await buildUser({ password });
      const { token } = await buildAccessToken(t.ctx, user, { description: "deploy bot" });
      await t.mailbox.waitFor(user.email, (m) => /access token was created/.test(m.subject));
      await insertIdentity({ user_id: user.id, provider: "gitlab", provider_user_id: "77", provider_username: "ana-gl", avatar_url: null });
      return { user, token };
    }

    async function tokenWorks(token: string): Promise<boolean> {
      return (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status === 200;
    }

    it("lists the tokens and identities, with revoking tokens ticked and disconnecting identities not", async () => {
      const { user } = await withTokenAndIdentity();
      const form = await new TestClient(t.baseUrl).get(await requestLink(user.email));
      assert.match(form.html, /<strong>deploy bot<\/strong> <span class="identity-list__account">gth_/);
      assert.match(form.html, /<strong>GitLab<\/strong> <span class="identity-list__account">ana-gl<\/span>/);
      assert.deepEqual(tickedBoxes(form.html), { revoke_tokens: "yes" });
      assert.match(form.html, /name="disconnect_identities" value="yes" >/);
    });

    it("by default revokes every token and keeps the identities, and the result says so", async () => {
      const { user, token } = await withTokenAndIdentity();
      const link = await requestLink(user.email);
      const client = new TestClient(t.baseUrl);
      const form = await client.get(link);
      const res = await client.submit(link, { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, ...tickedBoxes(form.html) });
      assert.equal(res.status, 302);
      assert.equal(await tokenWorks(token), false);
      assert.equal((await listIdentitiesForUser(user.id)).length, 1);
      const login = await client.get("/login");
      assert.match(login.html, /every session was signed out, this one included\. Pending email changes were cancelled\./);
      assert.match(login.html, /Revoked 1 personal access token: &#34;deploy bot&#34;\./);
      assert.match(login.html, /GitLab account ana-gl stays connected\./);
      const events = await db("security_events").where({ user_id: user.id, action: "access_token.revoked" });
      assert.equal(events[0]?.details.reason, "password_reset");
    });

    it("keeps the tokens working when the box is unticked, and says which were kept", async () => {
      const { user, token } = await withTokenAndIdentity();
      const client = new TestClient(t.baseUrl);
      assert.equal((await reset(await requestLink(user.email), NEW_PASSWORD, NEW_PASSWORD, client)).status, 302);
      assert.equal(await tokenWorks(token), true);
      assert.match((await client.get("/login")).html, /Kept 1 personal access token: &#34;deploy bot&#34;\./);
    });

    it("disconnects every identity when asked, leaving the new password as the way in of a provider-only account", async () => {
      const { user } = await withTokenAndIdentity(null);
      const link = await requestLink(user.email);
      const client = new TestClient(t.baseUrl);
      const res = await client.submit(link, { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, disconnect_identities: "yes" });
      assert.equal(res.status, 302);
      assert.deepEqual(await listIdentitiesForUser(user.id), []);
      assert.match((await client.get("/login")).html, /Disconnected GitLab account ana-gl\./);
      assert.equal(await canSignIn(user.username, NEW_PASSWORD), true);
      const events = await db("security_events").where({ user_id: user.id, action: "identity.unlinked" });
      assert.equal(events[0]?.details.reason, "password_reset");
    });

    it("keeps the choices and the lists when the form comes back with an error", async () => {
      const { user, token } = await withTokenAndIdentity();
      const link = await requestLink(user.email);
      const client = new TestClient(t.baseUrl);
      const res = await client.submit(link, { password: NEW_PASSWORD, password_confirmation: "something else entirely", disconnect_identities: "yes" });
      assert.equal(res.status, 422);
      assert.deepEqual(tickedBoxes(res.html), { disconnect_identities: "yes" });
      assert.match(res.html, /deploy bot/);
      assert.equal(await tokenWorks(token), true);
      assert.equal((await listIdentitiesForUser(user.id)).length, 1);
    });
  });
});
