import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, TestClient, pageCsrfToken } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { SESSION_COOKIE } from "../../../src/http/session";

describe("sign in and sign out", () => {
  const t = useTestApp();

  it("signs in with the username or the email, case-insensitively", async () => {
    const user = await buildUser({ username: "Ana-Lima" });
    for (const login of ["ana-lima", "ANA-LIMA@example.test"]) {
      const client = new TestClient(t.baseUrl);
      const res = await client.submit("/login", { login, password: user.password });
      assert.equal(res.status, 302);
      assert.equal(res.location, "/");
      const home = await client.get("/");
      assert.match(home.html, /Welcome, Ana-Lima/);
    }
  });

  it("gives one message for a wrong password and an unknown account, and keeps the login typed", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    const wrong = await client.submit("/login", { login: user.username, password: "not the right password" });
    const unknown = await client.submit("/login", { login: "nobody-here", password: "not the right password" });
    assert.equal(wrong.status, 422);
    assert.equal(unknown.status, 422);
    for (const page of [wrong, unknown]) assert.match(page.html, /Incorrect username, email or password\./);
    assert.match(wrong.html, new RegExp(`value="${user.username}"`));
    assert.doesNotMatch(wrong.html, /not the right password/);
  });

  it("gives the session a new id at sign-in (no fixation), and ends the signed-out one", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    // A signed-out session that holds something (the "signed out" notice): the kind an attacker
    // could plant in a victim's browser before the victim signs in.
    const form = await client.get("/login");
    await client.postRaw("/logout", { _csrf: csrfTokenFor(form.html, "/login") });
    const before = client.cookie(SESSION_COOKIE);
    assert.ok(before, "the sign-out notice is kept in a session");
    await loginAs(t.baseUrl, user, { client });
    assert.notEqual(client.cookie(SESSION_COOKIE), before);
    const planted = new TestClient(t.baseUrl);
    planted.setCookie(SESSION_COOKIE, before);
    assert.equal((await planted.get("/settings/profile")).status, 302, "the planted id signs nobody in");
  });

  it("shows the sign-in and sign-up forms without storing anything", async () => {
    const before = await db("sessions").count({ n: "*" }).first();
    const client = new TestClient(t.baseUrl);
    for (const path of ["/login", "/signup", "/password/forgot", "/"]) {
      const page = await client.get(path);
      assert.equal(page.status, 200, path);
    }
    assert.equal(client.cookie(SESSION_COOKIE), undefined);
    assert.deepEqual(await db("sessions").count({ n: "*" }).first(), before);
  });

  it("sets a browser-session cookie by default and a 30-day cookie with Keep me signed in", async () => {
    const user = await buildUser();
    const plain = new TestClient(t.baseUrl);
    const page = await plain.get("/login");
    const token = pageCsrfToken(page.html);
    const res = await plain.postRaw("/login", { _csrf: token, login: user.username, password: user.password });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(SESSION_COOKIE))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Expires=/i);

    const remembered = new TestClient(t.baseUrl);
    const page2 = await remembered.get("/login");
    const token2 = pageCsrfToken(page2.html);
    const res2 = await remembered.postRaw("/login", { _csrf: token2, login: user.username, password: user.password, remember: "on" });
    const cookie2 = res2.headers.getSetCookie().find((c) => c.startsWith(SESSION_COOKIE))!;
    const expires = new Date(cookie2.match(/Expires=([^;]+)/i)![1]!);
    const days = (expires.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30.01, `expires in ${days} days`);
  });

  it("refuses a POST without the session's CSRF token", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    await client.get("/login");
    const res = await client.postRaw("/login", { _csrf: "forged", login: user.username, password: user.password });
    assert.equal(res.status, 403);
    assert.match(res.html, /form expired/);
  });

  it("only follows next= to a path on this site", async () => {
    const user = await buildUser();
    for (const [next, expected] of [["/settings/profile", "/settings/profile"], ["https://evil.test/", "/"], ["//evil.test", "/"], ["/\\evil.test", "/"]] as const) {
      const client = new TestClient(t.baseUrl);
      const res = await client.submit(`/login?next=${encodeURIComponent(next)}`, { login: user.username, password: user.password, next }, "/login");
      assert.equal(res.location, expected, `next=${next}`);
    }
  });

  it("signs out with POST /logout and the old cookie no longer works", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const sid = client.cookie(SESSION_COOKIE)!;
    const res = await client.submit("/", {}, "/logout");
    assert.equal(res.status, 302);
    const attacker = new TestClient(t.baseUrl);
    attacker.setCookie(SESSION_COOKIE, sid);
    const home = await attacker.get("/settings/profile");
    assert.equal(home.status, 302);
    assert.match(home.location!, /^\/login/);
  });

  it("limits failed sign-ins per account and answers 429 with a page", async () => {
    const user = await buildUser();
    const limit = t.config.rateLimits.loginPerAccount;
    for (let i = 0; i < limit; i++) {
      const c = new TestClient(t.baseUrl);
      await c.submit("/login", { login: user.username, password: `wrong password ${i}` });
    }
    const c = new TestClient(t.baseUrl);
    const res = await c.submit("/login", { login: user.username, password: user.password });
    assert.equal(res.status, 429);
    assert.ok(res.headers.get("retry-after"));
    assert.match(res.html, /Too many attempts/);
  });
});
