import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { replaceEmailCode } from "../../../../src/db/email-codes";
import { findUserById } from "../../../../src/db/users";
import { SESSION_COOKIE } from "../../../../src/http/session";
import { hashToken } from "../../../../src/lib/tokens";
import { useTestApp } from "../../../helpers/app";
import { ageRecentAuth } from "../../../helpers/two-factor";
import { TestClient, fieldError } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";

const NEW_PASSWORD = "a brand new passphrase for gatehouse";

describe("settings: password", () => {
  const t = useTestApp();

  it("asks a session whose sign-in is older than 10 minutes to confirm it's you, keeping the old password until then", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const before = (await findUserById(user.id))!.password_hash;
    await ageRecentAuth(user.id, 11 * 60_000);
    const res = await client.submit("/settings/password", { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.location, "/settings/reauthenticate?returnTo=%2Fsettings%2Fpassword");
    assert.equal((await findUserById(user.id))!.password_hash, before);
    const wrong = await client.submit(res.location!, { method: "password", password: "not my password at all", returnTo: "/settings/password" }, "/settings/reauthenticate");
    assert.equal(wrong.status, 422);
    assert.equal(fieldError(wrong.html, "password"), "That is not your password.");
    assert.doesNotMatch(wrong.html, /not my password at all/);
    const right = await client.submit(res.location!, { method: "password", password: user.password, returnTo: "/settings/password" }, "/settings/reauthenticate");
    assert.equal(right.location, "/settings/password");
    assert.equal((await client.submit("/settings/password", { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD })).status, 302);
    assert.notEqual((await findUserById(user.id))!.password_hash, before);
  });

  it("refuses a mismatched confirmation", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const mismatch = await client.submit("/settings/password", { current_password: user.password, password: NEW_PASSWORD, password_confirmation: `${NEW_PASSWORD}!` });
    assert.equal(mismatch.status, 422);
    assert.equal(fieldError(mismatch.html, "password_confirmation"), "The two passwords do not match.");
  });

  it("applies the signup rules to the new password: length, common passwords, personal words", async () => {
    const user = await buildUser({ username: "marguerite" });
    const client = await loginAs(t.baseUrl, user);
    const cases: [string, RegExp][] = [
      ["short one", /at least 12 characters/],
      ["password1234", /commonly used or breached/],
      ["marguerite-is-my-name", /must not contain your username/],
    ];
    for (const [password, message] of cases) {
      const res = await client.submit("/settings/password", { current_password: user.password, password, password_confirmation: password });
      assert.equal(res.status, 422, password);
      assert.match(fieldError(res.html, "password") ?? "", message, password);
    }
    await loginAs(t.baseUrl, user);
  });

  it("on success ends every other session, renews this one's id, cancels email changes and mails the owner", async () => {
    const user = await buildUser();
    const here = await loginAs(t.baseUrl, user, { remember: true });
    const elsewhere = await loginAs(t.baseUrl, user);
    await replaceEmailCode({ user_id: user.id, purpose: "email_change", token_hash: hashToken("pending-change"), email: "new@example.test", expires_at: new Date(Date.now() + 3_600_000) });
    const oldSid = here.cookie(SESSION_COOKIE)!;

    const res = await here.submit("/settings/password", { current_password: user.password, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/settings/password");
    const renewed = res.headers.getSetCookie().find((c) => c.startsWith(SESSION_COOKIE))!;
    assert.ok(renewed, "a new session cookie is set");
    assert.notEqual(here.cookie(SESSION_COOKIE), oldSid);
    assert.match(renewed, /Expires=/i, "Keep me signed in survives the renewal");

    const page = await here.get("/settings/password");
    assert.equal(page.status, 200);
    assert.match(page.html, /Your password has been changed\. Every other session was signed out\./);

    const other = await elsewhere.get("/settings/profile");
    assert.equal(other.status, 302);
    assert.match(other.location!, /^\/login/);

    const stale = new TestClient(t.baseUrl);
    stale.setCookie(SESSION_COOKIE, oldSid);
    assert.equal((await stale.get("/settings/profile")).status, 302, "the old session id no longer works");

    const sessions = await db("sessions").where({ user_id: user.id }).whereNull("ended_at").select("sid");
    assert.equal(sessions.length, 1);
    assert.equal(decodeURIComponent(here.cookie(SESSION_COOKIE)!).startsWith(`s:${sessions[0].sid}.`), true, "the session row follows the new id");
    assert.equal(await db("email_codes").where({ user_id: user.id, purpose: "email_change" }).first(), undefined);
    const event = await db("security_events").where({ user_id: user.id, action: "password.changed" }).first();
    assert.ok(event);

    const mail = await t.mailbox.waitFor(user.email, (m) => m.subject === "Your Gatehouse password was changed");
    assert.match(mail.text, /was just changed/);

    await assert.rejects(loginAs(t.baseUrl, user), /failed with 422/);
    await loginAs(t.baseUrl, { username: user.username, password: NEW_PASSWORD });
  });

  it("lets an account without a password set one, without asking for a current one", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    // Provider-created accounts have no password hash; this one gets there by losing its own.
    await db("users").where({ id: user.id }).update({ password_hash: null });
    const page = await client.get("/settings/password");
    assert.match(page.html, /Set a password/);
    assert.doesNotMatch(page.html, /name="current_password"/);
    const res = await client.submit("/settings/password", { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(res.status, 302);
    const after = await client.get("/settings/password");
    assert.match(after.html, /Your password has been set/);
    assert.match(after.html, /Change your password/);
    assert.ok(await db("security_events").where({ user_id: user.id, action: "password.set" }).first());
    await loginAs(t.baseUrl, { username: user.username, password: NEW_PASSWORD });
  });

  it("counts wrong passwords at re-authentication with the login limiter, so a stolen session cannot guess", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await ageRecentAuth(user.id, 11 * 60_000);
    const limit = t.config.rateLimits.loginPerAccount;
    const reauth = "/settings/reauthenticate?returnTo=%2Fsettings%2Fpassword";
    for (let i = 0; i < limit; i++) {
      const res = await client.submit(reauth, { method: "password", password: `guess number ${i}`, returnTo: "/settings/password" }, "/settings/reauthenticate");
      assert.equal(res.status, 422);
    }
    const right = await client.submit(reauth, { method: "password", password: user.password, returnTo: "/settings/password" }, "/settings/reauthenticate");
    assert.equal(right.status, 429);
    const login = await new TestClient(t.baseUrl).submit("/login", { login: user.email, password: user.password });
    // Locked through another way in, the sign-in form answers like a wrong password (as for an
    // unknown login) and does not sign in.
    assert.equal(login.status, 422, "the login form is locked for the account too");
    assert.match(login.html, /Incorrect username, email or password\./);
  });

  it("needs a signed-in user and the form's CSRF token", async () => {
    const anonymous = await new TestClient(t.baseUrl).get("/settings/password");
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.location, "/login?next=%2Fsettings%2Fpassword");
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const forged = await client.postRaw("/settings/password", { _csrf: "forged", current_password: user.password, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(forged.status, 403);
    await loginAs(t.baseUrl, user);
  });
});
