import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { addMember, buildOrg } from "../../helpers/orgs";

describe("error pages offer the way forward", () => {
  const t = useTestApp({ RATE_LIMIT_LOGIN_PER_IP: "2", RATE_LIMIT_SIGNUP_PER_IP: "1" });

  it("403: names the account signed in, says who can change the role and lists the owners", async () => {
    const ana = await buildUser({ username: "ana" });
    const zed = await buildUser({ username: "zed" });
    const member = await buildUser({ username: "mo" });
    const org = await buildOrg(zed, { name: "Acme" });
    await addMember(org, ana, "owner");
    await addMember(org, member, "member");
    const client = await loginAs(t.baseUrl, member);
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    assert.equal(page.status, 403);
    assert.match(page.html, /Your role in this organization does not allow that/);
    assert.match(page.html, /An owner or admin of <strong>Acme<\/strong> can change your role. Its owners are ana, zed\./);
    assert.match(page.html, /You are signed in as <strong>mo<\/strong>/);
    assert.match(page.html, new RegExp(`href="/orgs/${org.slug}/members">See the members of Acme`));
  });

  it("403 outside an organization (a stale form): names the account, lists no owners", async () => {
    const user = await buildUser({ username: "solo" });
    const client = await loginAs(t.baseUrl, user);
    const res = await client.postRaw("/settings/profile", { _csrf: "not-the-token", display_name: "x" });
    assert.equal(res.status, 403);
    assert.match(res.html, /You are signed in as <strong>solo<\/strong>/);
    assert.doesNotMatch(res.html, /can change your role/);
  });

  it("429 on sign-in: says when to try again and offers a password reset", async () => {
    const client = new TestClient(t.baseUrl);
    const page = await client.get("/login");
    const token = csrfTokenFor(page.html, "/login");
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await client.postRaw("/login", { _csrf: token, login: "nobody", password: "wrong password here" }));
    const limited = tries.at(-1)!;
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter > 0);
    assert.match(limited.html, /Too many attempts/);
    const at = limited.html.match(/You can try again from <time datetime="([^"]+)"/)?.[1];
    assert.ok(at, "the page says from when");
    assert.ok(Math.abs(new Date(at).getTime() - (Date.now() + retryAfter * 1000)) < 60_000, "the time the Retry-After header names");
    assert.match(limited.html, /href="\/password\/forgot">Reset your password/);
  });

  it("429 elsewhere: says when to try again, without the password reset", async () => {
    const client = new TestClient(t.baseUrl);
    const page = await client.get("/signup");
    const token = csrfTokenFor(page.html, "/signup");
    await client.postRaw("/signup", { _csrf: token, username: "x", email: "bad", password: "short" });
    const limited = await client.postRaw("/signup", { _csrf: token, username: "x", email: "bad", password: "short" });
    assert.equal(limited.status, 429);
    assert.match(limited.html, /You can try again from <time/);
    assert.doesNotMatch(limited.html, /Reset your password/);
  });
});
