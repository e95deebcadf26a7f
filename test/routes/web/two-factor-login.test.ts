import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { SESSION_COOKIE } from "../../../src/http/session";
import { hashRecoveryCode } from "../../../src/auth/totp";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, fieldError, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { buildOrg } from "../../helpers/orgs";
import { enableTwoFactor, submitCode, submitPassword, totpCode } from "../../helpers/two-factor";

describe("the second step of sign-in", () => {
  const t = useTestApp({ RATE_LIMIT_TWO_FACTOR_PER_ACCOUNT: "5" });

  /** A user with 2FA on, and a fresh signed-out client. */
  async function twoFactorUser() {
    const user = await buildUser();
    const setup = await enableTwoFactor(await loginAs(t.baseUrl, user));
    return { user, ...setup, client: new TestClient(t.baseUrl) };
  }

  it("stops a password sign-in at /login/two-factor with a new session id, and changes it again when done", async () => {
    const { user, secret, client } = await twoFactorUser();
    await client.get("/login");
    const planted = "planted-before-sign-in";
    client.setCookie(SESSION_COOKIE, planted);
    const first = await submitPassword(client, user);
    assert.equal(first.status, 302);
    assert.equal(first.location, "/login/two-factor");
    const held = client.cookie(SESSION_COOKIE);
    assert.ok(held && held !== planted);
    const step = await client.get("/login/two-factor");
    assert.equal(step.status, 200);
    assert.match(step.html, /Authentication code/);
    assert.equal(step.headers.get("cache-control"), "no-store");
    // The current step's code went into turning 2FA on, so the next step's (within the ±1 window).
    const done = await submitCode(client, totpCode(secret, 1));
    assert.equal(done.status, 302);
    assert.equal(done.location, "/");
    assert.notEqual(client.cookie(SESSION_COOKIE), held);
    assert.equal((await client.get("/settings/profile")).status, 200);
    // The held session's id is worthless now.
    const old = new TestClient(t.baseUrl);
    old.setCookie(SESSION_COOKIE, held);
    assert.equal((await old.get("/settings/profile")).status, 302);
    const signIn = await db("security_events").where({ user_id: user.id, action: "sign_in" }).orderBy("id", "desc").first();
    assert.equal(signIn.details.method, "password+totp");
  });

  it("grants nothing while held: every page, the API, CLI consent and invitations are refused", async () => {
    const { user, client } = await twoFactorUser();
    const owner = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    const ownerClient = await loginAs(t.baseUrl, owner);
    const invitePage = await ownerClient.get(`/orgs/${org.slug}/invitations`);
    await ownerClient.postRaw(`/orgs/${org.slug}/invitations`, { _csrf: csrfTokenFor(invitePage.html, `/orgs/${org.slug}/invitations`), email: user.email, role: "member" });
    const mail = await t.mailbox.waitFor(user.email, (m) => /invited you to join/.test(m.subject));
    const invitation = new URL(linkIn(mail, "/invitations/")).pathname;

    assert.equal((await submitPassword(client, user)).location, "/login/two-factor");
    for (const path of ["/settings/profile", "/settings/security", "/settings/tokens", "/settings/sessions", `/orgs/${org.slug}`, "/orgs/new"]) {
      const page = await client.get(path);
      assert.equal(page.status, 302, path);
      assert.equal(page.location, "/login/two-factor", path);
    }
    const home = await client.get("/");
    assert.doesNotMatch(home.html, /Signed in as/);
    const cli = await client.get(`/cli/login?client_id=terraform-cli&redirect_uri=${encodeURIComponent("http://localhost:10003/login")}&response_type=code&code_challenge=${"a".repeat(43)}&code_challenge_method=S256&state=x`);
    assert.equal(cli.status, 302);
    assert.equal(cli.location, "/login/two-factor");
    const invitationPage = await client.get(invitation);
    assert.doesNotMatch(invitationPage.html, /action="[^"]*\/accept"/, "the invitation offers sign-in, not accepting");
    const step = await client.get("/login/two-factor");
    const token = csrfTokenFor(step.html, "/login/two-factor");
    for (const path of [`${invitation}/accept`, "/settings/tokens", "/cli/login", "/settings/security/totp/setup", "/settings/security/disable"]) {
      const res = await client.postRaw(path, { _csrf: token, description: "x", expires_in_days: "30", decision: "authorize" });
      assert.ok([401, 403].includes(res.status), `${path} answered ${res.status}`);
    }
    // The API never reads the cookie.
    const api = await client.request("GET", "/api/v1/user");
    assert.equal(api.status, 401);
    assert.equal((await db("memberships").where({ user_id: user.id })).length, 0);
    assert.equal((await db("access_tokens").where({ user_id: user.id })).length, 0);
  });

  it("keeps where the sign-in was going: an invitation and a CLI sign-in continue after the second step", async () => {
    const { user, secret, recoveryCodes, client } = await twoFactorUser();
    const cliPath = `/cli/login?client_id=terraform-cli&redirect_uri=${encodeURIComponent("http://localhost:10003/login")}&response_type=code&code_challenge=${crypto.randomBytes(32).toString("base64url")}&code_challenge_method=S256&state=st`;
    const start = await client.get(cliPath);
    assert.equal(start.status, 302);
    const loginPath = start.location!;
    const next = new URL(loginPath, t.baseUrl).searchParams.get("next")!;
    assert.equal(next, cliPath);
    assert.equal((await submitPassword(client, user, next)).location, "/login/two-factor");
    const done = await submitCode(client, totpCode(secret, 1));
    assert.equal(done.location, cliPath);
    const consent = await client.get(cliPath);
    assert.equal(consent.status, 200);
    assert.match(consent.html, /Authorize/);

    // An invitation's sign-in link carries its path as next, kept through the second step too.
    const other = new TestClient(t.baseUrl);
    const invitation = "/invitations/some-token";
    assert.equal((await submitPassword(other, user, invitation)).location, "/login/two-factor");
    assert.equal((await submitCode(other, recoveryCodes[0]!)).location, invitation);
  });

  it("expires the held state after 5 minutes", async () => {
    const { user, secret, client } = await twoFactorUser();
    await submitPassword(client, user);
    const step = await client.get("/login/two-factor");
    await db("sessions").whereRaw("data->'pendingSignIn' IS NOT NULL").update({
      data: db.raw("jsonb_set(data, '{pendingSignIn,startedAt}', to_jsonb(?::bigint))", [Date.now() - 5 * 60_000 - 1000]),
    });
    const late = await client.postRaw("/login/two-factor", { _csrf: csrfTokenFor(step.html, "/login/two-factor"), code: totpCode(secret, 1) });
    assert.equal(late.status, 302);
    assert.equal(late.location, "/login");
    assert.equal((await client.get("/settings/profile")).status, 302);
    assert.equal((await client.get("/login/two-factor")).location, "/login");
  });

  it("accepts a code once: the same code for a second sign-in, or twice at the same moment, fails", async () => {
    const { user, secret, client } = await twoFactorUser();
    // The code used to turn 2FA on is already spent.
    await submitPassword(client, user);
    const code = totpCode(secret, 1);
    assert.equal((await submitCode(client, code)).status, 302);
    const again = new TestClient(t.baseUrl);
    await submitPassword(again, user);
    const replay = await submitCode(again, code);
    assert.equal(replay.status, 422);
    assert.match(fieldError(replay.html, "code") ?? "", /already used/);
    assert.equal((await again.get("/settings/profile")).status, 302);

  });

  it("lets exactly one of two held sign-ins in when both send the same fresh code at once", async () => {
    const { user, secret } = await twoFactorUser();
    const [a, b] = [new TestClient(t.baseUrl), new TestClient(t.baseUrl)];
    await submitPassword(a, user);
    await submitPassword(b, user);
    const [pa, pb] = await Promise.all([a.get("/login/two-factor"), b.get("/login/two-factor")]);
    const code = totpCode(secret, 1);
    const results = await Promise.all([
      a.postRaw("/login/two-factor", { _csrf: csrfTokenFor(pa.html, "/login/two-factor"), code }),
      b.postRaw("/login/two-factor", { _csrf: csrfTokenFor(pb.html, "/login/two-factor"), code }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [302, 422]);
  });

  it("throttles wrong codes per account across sign-in attempts, parallel bursts included", async () => {
    const { user, secret } = await twoFactorUser();
    const wrong = (code: string) => (code === "000000" ? "111111" : "000000");
    // A burst of parallel wrong codes from several held sign-ins: at most the budget (5) is checked.
    const clients = Array.from({ length: 4 }, () => new TestClient(t.baseUrl));
    for (const c of clients) await submitPassword(c, user);
    const pages = await Promise.all(clients.map((c) => c.get("/login/two-factor")));
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => {
      const c = clients[i % clients.length]!;
      return c.postRaw("/login/two-factor", { _csrf: csrfTokenFor(pages[i % clients.length]!.html, "/login/two-factor"), code: wrong(totpCode(secret)) });
    }));
    const statuses = burst.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 422).length, 5, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 429).length, 7);
    assert.equal((await db("security_events").where({ user_id: user.id, action: "two_factor.failed" })).length, 5);
    // Passing the password again does not give the budget back, and the right code is refused too.
    const fresh = new TestClient(t.baseUrl);
    assert.equal((await submitPassword(fresh, user)).location, "/login/two-factor");
    const right = await submitCode(fresh, totpCode(secret, 1));
    assert.equal(right.status, 429);
    assert.match(right.html, /Too many attempts/);
    assert.equal((await fresh.get("/settings/profile")).status, 302);
  });

  it("takes a recovery code once, mails a notice, warns at 2 left, and lets exactly one of two parallel uses win", async () => {
    const { user, recoveryCodes, client } = await twoFactorUser();
    await submitPassword(client, user);
    const used = await submitCode(client, recoveryCodes[0]!.toUpperCase());
    assert.equal(used.status, 302);
    await t.mailbox.waitFor(user.email, (m) => m.subject === "A Gatehouse recovery code was used" && /You have 9 left/.test(m.text));
    const settings = await client.get("/settings/security");
    assert.match(settings.html, /data-testid="codes-left">9 left/);

    const again = new TestClient(t.baseUrl);
    await submitPassword(again, user);
    assert.equal((await submitCode(again, recoveryCodes[0]!)).status, 422);

    const [a, b] = [new TestClient(t.baseUrl), new TestClient(t.baseUrl)];
    await submitPassword(a, user);
    await submitPassword(b, user);
    const [pa, pb] = await Promise.all([a.get("/login/two-factor"), b.get("/login/two-factor")]);
    const race = await Promise.all([
      a.postRaw("/login/two-factor", { _csrf: csrfTokenFor(pa.html, "/login/two-factor"), code: recoveryCodes[1]! }),
      b.postRaw("/login/two-factor", { _csrf: csrfTokenFor(pb.html, "/login/two-factor"), code: recoveryCodes[1]! }),
    ]);
    assert.deepEqual(race.map((r) => r.status).sort(), [302, 422]);

    // Down to 2: the mail warns.
    await db("recovery_codes").where({ user_id: user.id }).whereNull("used_at").whereNotIn("code_hash", [
      hashRecoveryCode(recoveryCodes[2]!.replace(/-/g, "")),
      hashRecoveryCode(recoveryCodes[3]!.replace(/-/g, "")),
      hashRecoveryCode(recoveryCodes[4]!.replace(/-/g, "")),
    ]).update({ used_at: db.fn.now() });
    const last = new TestClient(t.baseUrl);
    await submitPassword(last, user);
    assert.equal((await submitCode(last, recoveryCodes[2]!)).status, 302);
    await t.mailbox.waitFor(user.email, (m) => m.subject === "Only 2 Gatehouse recovery codes left");
  });

  it("does not let a password reset turn 2FA off, and says so", async () => {
    const { user, client } = await twoFactorUser();
    await client.submit("/password/forgot", { email: user.email });
    const mail = await t.mailbox.waitFor(user.email, (m) => /reset/i.test(m.subject));
    const resetPath = new URL(linkIn(mail, "/password/reset/")).pathname;
    const form = await client.get(resetPath);
    assert.match(form.html, /Two-factor authentication stays on/);
    const reset = await client.submit(resetPath, { password: "a whole new passphrase here", password_confirmation: "a whole new passphrase here", revoke_tokens: "yes" });
    assert.equal(reset.status, 302);
    const after = await client.get("/login");
    assert.match(after.html, /Two-factor authentication stays on/);
    const signIn = await submitPassword(client, { username: user.username, password: "a whole new passphrase here" });
    assert.equal(signIn.location, "/login/two-factor");
  });
});
