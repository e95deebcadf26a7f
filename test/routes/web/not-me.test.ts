import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { TestClient, csrfTokenFor, fieldError } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn, type ReceivedMail } from "../../helpers/mailbox";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";
import { db } from "../../../src/db/knex";
import { insertIdentity, listIdentitiesForUser } from "../../../src/db/identities";
import { insertAuthorizationCode } from "../../../src/db/oauth-authorization-codes";
import { replaceEmailCode } from "../../../src/db/email-codes";
import { hashToken } from "../../../src/lib/tokens";
import { newSignInMail } from "../../../src/emails/new-sign-in";
import { passwordChangedMail } from "../../../src/emails/password-changed";
import { emailChangeNoticeMail } from "../../../src/emails/email-change-notice";
import { identityChangedMail } from "../../../src/emails/identity-changed";
import { accessTokenCreatedMail } from "../../../src/emails/access-token-created";

const BUDGET = 3;

describe("This wasn't me", () => {
  const t = useTestApp({ RATE_LIMIT_LOGIN_PER_ACCOUNT: String(BUDGET) });

  /** The path of the "This wasn't me" link in a mail. */
  const notMePath = (mail: ReceivedMail) => new URL(linkIn(mail, "/not-me/")).pathname;

  /** Creates a token for `user` (a real security notice) and returns the token and its mail's link. */
  async function tokenWithNotice(user: { id: number; username: string; email: string }, description = "laptop") {
    const { token } = await buildAccessToken(t.ctx, user, { description });
    const mail = await t.mailbox.waitFor(user.email, (m) => /access token/.test(m.subject) && m.text.includes(description));
    return { token, path: notMePath(mail) };
  }

  const tokenWorks = async (token: string) => (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status === 200;

  it("puts a link of its own in every security mail, and none in other mail", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const to = { userId: ana.id, to: ana.email, username: ana.username };
    await db.transaction(async (trx) => {
      for (const mail of [
        newSignInMail({ ...to, device: "Firefox on Linux", ip: "203.0.113.9", at: "now" }),
        passwordChangedMail({ ...to, how: "changed", ip: null }),
        emailChangeNoticeMail({ ...to, newEmail: "new@example.test", minutes: 60, ip: null }),
        identityChangedMail({ ...to, action: "linked", providerLabel: "GitHub", providerUsername: "ana", ip: null }),
        accessTokenCreatedMail({ ...to, description: "ci", how: "on the settings page", expiresOn: null, ip: null }),
      ]) await t.ctx.mail.queue(mail, trx);
    });
    const paths = new Set<string>();
    for (const subject of [/New sign-in/, /password was changed/, /change of your Gatehouse email/, /GitHub was connected/, /access token/]) {
      const mail = await t.mailbox.waitFor(ana.email, (m) => subject.test(m.subject));
      const path = notMePath(mail);
      assert.ok(mail.html.includes(`${t.baseUrl}${path}`), `${mail.subject}: the HTML part has the link`);
      paths.add(path);
    }
    assert.equal(paths.size, 5, "each mail has its own code");
    for (const path of paths) assert.equal((await new TestClient(t.baseUrl).get(path)).status, 200);

    await new TestClient(t.baseUrl).submit("/password/forgot", { email: ana.email });
    const reset = await t.mailbox.waitFor(ana.email, (m) => /Reset your/.test(m.subject));
    assert.doesNotMatch(reset.text + reset.html, /not-me/);
  });

  it("with the password: ends every session, revokes every token and CLI sign-in, cancels email changes, and works once", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const intruder = await loginAs(t.baseUrl, ana);
    const owner = await loginAs(t.baseUrl, ana);
    const { token: first } = await tokenWithNotice(ana, "old token");
    const { token, path } = await tokenWithNotice(ana, "laptop");
    await insertAuthorizationCode({ code_hash: hashToken("cli-code"), user_id: ana.id, client_id: "terraform-cli", redirect_uri: "http://localhost:10000/login", code_challenge: "x", requesting_host: null, expires_at: new Date(Date.now() + 600_000) });
    await replaceEmailCode({ user_id: ana.id, purpose: "email_change", token_hash: hashToken("pending-change"), email: "intruder@example.test", expires_at: new Date(Date.now() + 3_600_000) });
    await insertIdentity({ user_id: ana.id, provider: "gitlab", provider_user_id: "77", provider_username: "ana-gl", avatar_url: null, vouched_for_address: true });

    const page = await owner.get(path);
    assert.equal(page.status, 200);
    assert.match(page.html, /Secure your account/);
    assert.match(page.html, /old token/);
    assert.match(page.html, /ana-gl/);

    const done = await owner.submit(path, { password: ana.password });
    assert.equal(done.status, 302);
    assert.equal(done.location, "/login");
    const login = await owner.get("/login");
    assert.match(login.html, /2 sessions were signed out/);
    assert.match(login.html, /Revoked 2 personal access tokens/);
    assert.match(login.html, /GitLab account ana-gl stays connected/);

    for (const client of [intruder, owner]) assert.equal((await client.get("/settings/profile")).status, 302, "every session ended");
    assert.equal(await tokenWorks(first), false);
    assert.equal(await tokenWorks(token), false);
    assert.deepEqual(await db("oauth_authorization_codes").where({ user_id: ana.id }), []);
    assert.deepEqual(await db("email_codes").where({ user_id: ana.id }).pluck("purpose"), [], "email change and every other link are gone");
    assert.equal((await listIdentitiesForUser(ana.id)).length, 1);
    const events = await db("security_events").where({ user_id: ana.id, action: "account.secured" });
    assert.equal(events.length, 1);

    assert.equal((await new TestClient(t.baseUrl).get(path)).status, 410, "the link works once");
    assert.equal((await new TestClient(t.baseUrl).submit("/login", { login: ana.username, password: ana.password })).status, 302, "the password still signs in");
  });

  it("disconnects the identities too when asked", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    await insertIdentity({ user_id: ana.id, provider: "gitlab", provider_user_id: "77", provider_username: "ana-gl", avatar_url: null, vouched_for_address: true });
    const { path } = await tokenWithNotice(ana);
    const done = await new TestClient(t.baseUrl).submit(path, { password: ana.password, disconnect_identities: "yes" });
    assert.equal(done.status, 302);
    assert.deepEqual(await listIdentitiesForUser(ana.id), []);
  });

  it("refuses a wrong password beside the field, ends nothing, and keeps the link", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const session = await loginAs(t.baseUrl, ana);
    await insertIdentity({ user_id: ana.id, provider: "gitlab", provider_user_id: "77", provider_username: "ana-gl", avatar_url: null, vouched_for_address: true });
    const { token, path } = await tokenWithNotice(ana);
    const res = await new TestClient(t.baseUrl).submit(path, { password: "not the password at all", disconnect_identities: "yes" });
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, "password"), "That is not this account&#39;s password.");
    assert.match(res.html, /name="disconnect_identities" value="yes" checked/);
    assert.doesNotMatch(res.html, /not the password at all/);
    assert.equal((await session.get("/settings/profile")).status, 200);
    assert.equal(await tokenWorks(token), true);
    assert.equal((await new TestClient(t.baseUrl).get(path)).status, 200);
  });

  it("spends the account's one guess budget: parallel wrong guesses are cut off, then the right password is refused too", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const { token, path } = await tokenWithNotice(ana);
    const attacker = new TestClient(t.baseUrl);
    const form = await attacker.get(path);
    const csrf = csrfTokenFor(form.html, path);
    const answers = await Promise.all(Array.from({ length: BUDGET * 3 }, (_, i) => attacker.postRaw(path, { _csrf: csrf, password: `wrong guess number ${i}` })));
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 422).length, BUDGET, `at most the budget was checked: ${statuses.join(",")}`);
    assert.equal(statuses.filter((s) => s === 429).length, BUDGET * 2);
    const right = await attacker.postRaw(path, { _csrf: csrf, password: ana.password });
    assert.equal(right.status, 429);
    assert.equal(await tokenWorks(token), true);
    // The budget is the one the sign-in form spends: it refuses the right password too (answering
    // like a wrong one there, see src/services/password-attempts.ts).
    const login = await new TestClient(t.baseUrl).submit("/login", { login: ana.email, password: ana.password });
    assert.equal(login.status, 422);
  });

  it("acts once when the right password is sent twice at the same moment", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const { path } = await tokenWithNotice(ana);
    const client = new TestClient(t.baseUrl);
    const csrf = csrfTokenFor((await client.get(path)).html, path);
    const answers = await Promise.all([1, 2].map(() => client.postRaw(path, { _csrf: csrf, password: ana.password })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [302, 410]);
    assert.equal((await db("security_events").where({ user_id: ana.id, action: "account.secured" })).length, 1);
  });

  it("refuses an expired, unknown or used link, and one mailed to an address the account no longer has", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const { path } = await tokenWithNotice(ana, "one");
    const { path: second } = await tokenWithNotice(ana, "two");
    assert.equal((await new TestClient(t.baseUrl).get("/not-me/made-up-code")).status, 410);

    await db("email_codes").where({ token_hash: hashToken(path.split("/").at(-1)!) }).update({ expires_at: db.raw("now() - interval '1 second'") });
    assert.equal((await new TestClient(t.baseUrl).get(path)).status, 410);
    const client = new TestClient(t.baseUrl);
    const csrf = csrfTokenFor((await client.get("/login")).html, "/login");
    assert.equal((await client.postRaw(path, { _csrf: csrf, password: ana.password })).status, 410);

    await db("users").where({ id: ana.id }).update({ email: "ana-new@example.test" });
    const page = await new TestClient(t.baseUrl).get(second);
    assert.equal(page.status, 410);
    assert.match(page.html, /This link no longer works/);
    assert.equal((await db("security_events").where({ user_id: ana.id, action: "account.secured" })).length, 0);
  });

  it("sends an account without a password to a reset instead, and ends nothing", async () => {
    const ana = await buildUser({ email: "ana@example.test", password: null });
    const { token, path } = await tokenWithNotice(ana);
    const page = await new TestClient(t.baseUrl).get(path);
    assert.equal(page.status, 200);
    assert.match(page.html, /has no password/);
    assert.match(page.html, /href="\/password\/forgot"/);
    assert.doesNotMatch(page.html, /name="password"/);
    const client = new TestClient(t.baseUrl);
    const csrf = csrfTokenFor((await client.get("/login")).html, "/login");
    const res = await client.postRaw(path, { _csrf: csrf, password: "anything at all here" });
    assert.equal(res.status, 422);
    assert.equal(await tokenWorks(token), true);
  });
});
