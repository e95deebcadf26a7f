import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { buildUser, loginAs } from "../../helpers/factories";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";
import { generateAccessToken } from "../../../src/auth/access-token-format";
import { db } from "../../../src/db/knex";
import type { AccessTokenRow } from "../../../src/db/access-tokens";
import { SESSION_COOKIE } from "../../../src/http/session";
import { statementsDuring } from "../../helpers/statements";

describe("API: bearer authentication", () => {
  const t = useTestApp();

  it("answers every bad token with the same 401, header and body", async () => {
    const user = await buildUser();
    const expired = await buildAccessToken(t.ctx, user, { description: "expired" });
    await db("access_tokens").where({ id: expired.row.id }).update({ expires_at: new Date(Date.now() - 1000) });
    const revoked = await buildAccessToken(t.ctx, user, { description: "revoked" });
    await db("access_tokens").where({ id: revoked.row.id }).update({ revoked_at: new Date() });
    const good = await buildAccessToken(t.ctx, user);
    const flipped = good.token.slice(0, 20) + (good.token[20] === "a" ? "b" : "a") + good.token.slice(21);
    const cases: [string, Record<string, string>][] = [
      ["missing", {}],
      ["empty bearer", { authorization: "Bearer " }],
      ["basic scheme", { authorization: `Basic ${Buffer.from(`x:${good.token}`).toString("base64")}` }],
      ["malformed", { authorization: "Bearer not-a-token" }],
      ["bad checksum", { authorization: `Bearer ${flipped}` }],
      ["unknown", { authorization: `Bearer ${generateAccessToken("gth_").token}` }],
      ["expired", { authorization: `Bearer ${expired.token}` }],
      ["revoked", { authorization: `Bearer ${revoked.token}` }],
    ];
    const bodies = new Set<string>();
    for (const [name, headers] of cases) {
      const res = await fetch(`${t.baseUrl}/api/v1/user`, { headers });
      assert.equal(res.status, 401, name);
      assert.equal(res.headers.get("www-authenticate"), 'Bearer error="invalid_token"', name);
      bodies.add(await res.text());
    }
    assert.equal(bodies.size, 1);
    assert.deepEqual(JSON.parse([...bodies][0]!), { error: { code: "invalid_token", message: "A valid access token is required. Send it as: Authorization: Bearer <token>" } });
    const ok = await apiRequest(t.baseUrl, good.token, "GET", "/api/v1/user");
    assert.equal(ok.status, 200);
  });

  it("rejects malformed tokens without any database query", async () => {
    // The earlier tests' API counts are sent now, not by the limiter's timer while this one counts.
    await t.ctx.limits.apiPerToken.flush();
    const good = generateAccessToken("gth_").token;
    const flipped = good.slice(0, -1) + (good.endsWith("a") ? "b" : "a");
    for (const bad of ["garbage", flipped, `ghp_${good.slice(4)}`]) {
      const sql = await statementsDuring(() => apiRequest(t.baseUrl, bad, "GET", "/api/v1/user").then((r) => r.text()));
      assert.deepEqual(sql, [], `queries for ${bad}`);
    }
    const sql = await statementsDuring(() => apiRequest(t.baseUrl, good, "GET", "/api/v1/user").then((r) => r.text()));
    assert.equal(sql.length, 1, "a well-formed unknown token costs one lookup");
    assert.match(sql[0]!, /from access_tokens as a\b.*where a\.token_hash = /is);
  });

  it("never accepts the session cookie on /api", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const res = await fetch(`${t.baseUrl}/api/v1/user`, { headers: { cookie: `${SESSION_COOKIE}=${client.cookie(SESSION_COOKIE)}` } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("set-cookie"), null, "the API never starts a session");
  });

  it("updates last_used_at at most once a minute", async () => {
    const user = await buildUser();
    const { row, token } = await buildAccessToken(t.ctx, user);
    assert.equal(row.last_used_at, null);
    const first = await statementsDuring(() => apiRequest(t.baseUrl, token, "GET", "/api/v1/user").then((r) => r.text()));
    assert.equal(first.filter((s) => /^update "access_tokens"/.test(s)).length, 1);
    const used = (await db<AccessTokenRow>("access_tokens").where({ id: row.id }).first())!.last_used_at;
    assert.ok(used && Date.now() - used.getTime() < 10_000);
    const second = await statementsDuring(() => apiRequest(t.baseUrl, token, "GET", "/api/v1/user").then((r) => r.text()));
    assert.equal(second.filter((s) => /^update "access_tokens"/.test(s)).length, 0, "no write within the minute");
    await db("access_tokens").where({ id: row.id }).update({ last_used_at: new Date(Date.now() - 2 * 60_000) });
    await apiRequest(t.baseUrl, token, "GET", "/api/v1/user");
    const later = (await db<AccessTokenRow>("access_tokens").where({ id: row.id }).first())!.last_used_at!;
    assert.ok(Date.now() - later.getTime() < 10_000);
  });

  it("refuses tokens of accounts whose email is no longer confirmed", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user);
    await db("users").where({ id: user.id }).update({ email_confirmed_at: null });
    const res = await apiRequest(t.baseUrl, token, "GET", "/api/v1/user");
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "unconfirmed");
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/nothing-here`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: { code: "not_found", message: "Not found" } });
  });
});

/** Waits for the next minute when this one ends in under 5 seconds: the API limit counts per clock minute. */
async function clearOfMinuteEnd() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe("API: rate limit per token", () => {
  const t = useTestApp({ RATE_LIMIT_API_PER_TOKEN: "3" });

  it("answers 429 with Retry-After once a token used its requests, without touching other tokens", async () => {
    const user = await buildUser();
    await clearOfMinuteEnd();
    const a = await buildAccessToken(t.ctx, user, { description: "a" });
    const b = await buildAccessToken(t.ctx, user, { description: "b" });
    for (let i = 0; i < 3; i++) assert.equal((await apiRequest(t.baseUrl, a.token, "GET", "/api/v1/user")).status, 200);
    const limited = await apiRequest(t.baseUrl, a.token, "GET", "/api/v1/user");
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    assert.equal((await limited.json()).error.code, "rate_limited");
    assert.equal((await apiRequest(t.baseUrl, b.token, "GET", "/api/v1/user")).status, 200);
    // Once the counts are shared through the database, the total learned back still refuses.
    await t.ctx.limits.apiPerToken.flush();
    assert.equal((await db("api_request_counts").where({ key: String(a.row.id) }).first())?.count, 3, "refused requests are not counted");
    assert.equal((await apiRequest(t.baseUrl, a.token, "GET", "/api/v1/user")).status, 429);
  });
});

describe("API: the user, tokens and sessions", () => {
  const t = useTestApp();

  it("GET /api/v1/user shows the token's user through the presenter only", async () => {
    const user = await buildUser({ displayName: "Ana Lima" });
    const { token } = await buildAccessToken(t.ctx, user);
    const res = await apiRequest(t.baseUrl, token, "GET", "/api/v1/user");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const { data } = await res.json();
    assert.equal(data.username, user.username);
    assert.equal(data.email, user.email);
    assert.equal(data.display_name, "Ana Lima");
    assert.equal(data.email_confirmed, true);
    assert.equal(data.password_hash, undefined);
    assert.deepEqual(Object.keys(data).sort(), ["bio", "created_at", "display_name", "email", "email_confirmed", "gravatar_public", "id", "links", "pending_email", "profile_public", "updated_at", "username"]);
  });

  it("creates a token whose secret is in the 201 only, with a notice mail, and lists it", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user, { description: "caller", canCreateTokens: true, expiresInDays: null });
    t.mailbox.clear();
    const res = await apiRequest(t.baseUrl, token, "POST", "/api/v1/user/tokens", { description: "  from the API  ", expires_in_days: 365 });
    assert.equal(res.status, 201);
    const { data } = await res.json();
    assert.match(data.token, /^gth_[0-9A-Za-z]{49}$/);
    assert.equal(data.description, "from the API");
    assert.equal(data.created_via, "api");
    assert.equal(data.display, `gth_…${data.token.slice(-4)}`);
    assert.equal(res.headers.get("location"), `${t.baseUrl}/api/v1/user/tokens/${data.id}`);
    const days = (Date.parse(data.expires_at) - Date.now()) / 86_400_000;
    assert.ok(days > 364.9 && days <= 365);
    assert.equal((await apiRequest(t.baseUrl, data.token, "GET", "/api/v1/user")).status, 200, "the new token works");
    await t.mailbox.waitFor(user.email, (m) => /access token was created/.test(m.subject) && /through the API/.test(m.text));

    const one = await (await apiRequest(t.baseUrl, token, "GET", `/api/v1/user/tokens/${data.id}`)).json();
    assert.equal(one.data.token, undefined);
    assert.equal(one.data.description, "from the API");
    const list = await (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user/tokens")).json();
    assert.deepEqual(list.data.map((d: { description: string }) => d.description), ["from the API", "caller"]);
    assert.ok(list.data.every((d: Record<string, unknown>) => d.token === undefined && d.token_hash === undefined));
  });

  it("uses 90 days by default and null for no expiry", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user, { canCreateTokens: true, expiresInDays: null });
    const dflt = (await (await apiRequest(t.baseUrl, token, "POST", "/api/v1/user/tokens", { description: "default" })).json()).data;
    const days = (Date.parse(dflt.expires_at) - Date.now()) / 86_400_000;
    assert.ok(days > 89.9 && days <= 90);
    const never = (await (await apiRequest(t.baseUrl, token, "POST", "/api/v1/user/tokens", { description: "never", expires_in_days: null })).json()).data;
    assert.equal(never.expires_at, null);
  });

  it("creates tokens only with a token made for it, and never one that outlives its creator", async () => {
    const user = await buildUser();
    const plain = await buildAccessToken(t.ctx, user, { expiresInDays: null });
    const refused = await apiRequest(t.baseUrl, plain.token, "POST", "/api/v1/user/tokens", { description: "successor", expires_in_days: 30 });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error.code, "token_cannot_create_tokens");

    const creator = await buildAccessToken(t.ctx, user, { canCreateTokens: true, expiresInDays: 30 });
    for (const expires_in_days of [60, 365, null]) {
      const res = await apiRequest(t.baseUrl, creator.token, "POST", "/api/v1/user/tokens", { description: "longer", expires_in_days });
      assert.equal(res.status, 422, String(expires_in_days));
      assert.match((await res.json()).error.fields.expires_in_days, /cannot outlive the token creating it/);
    }
    // No expiry asked for: the default would outlive the creator, so the creator's expiry is used.
    const dflt = await apiRequest(t.baseUrl, creator.token, "POST", "/api/v1/user/tokens", { description: "bounded" });
    assert.equal(dflt.status, 201);
    const child = (await dflt.json()).data;
    assert.ok(Date.parse(child.expires_at) <= creator.row.expires_at!.getTime());
    // The child cannot create tokens itself.
    const grandchild = await apiRequest(t.baseUrl, child.token, "POST", "/api/v1/user/tokens", { description: "again", expires_in_days: 30 });
    assert.equal(grandchild.status, 403);
    assert.equal((await db("access_tokens").where({ user_id: user.id })).length, 3);
  });

  it("refuses bad bodies with 422 and a message per field", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user);
    const cases: [unknown, Record<string, string>][] = [
      [{}, { description: "Describe what the token is for." }],
      [{ description: "   " }, { description: "Describe what the token is for." }],
      [{ description: "x".repeat(101) }, { description: "Use at most 100 characters." }],
      [{ description: "ok", expires_in_days: 7 }, { expires_in_days: "Choose 30, 60, 90, 365 days, or null for no expiry." }],
      [{ description: "ok", expires_in_days: "30" }, { expires_in_days: "Choose 30, 60, 90, 365 days, or null for no expiry." }],
      [{ description: "ok", user_id: 1 }, { user_id: "Unknown field." }],
    ];
    for (const [body, fields] of cases) {
      const res = await apiRequest(t.baseUrl, token, "POST", "/api/v1/user/tokens", body);
      assert.equal(res.status, 422, JSON.stringify(body));
      const json = await res.json();
      assert.equal(json.error.code, "invalid");
      assert.deepEqual(json.error.fields, fields, JSON.stringify(body));
    }
    const broken = await apiRequest(t.baseUrl, token, "POST", "/api/v1/user/tokens", undefined, { "content-type": "application/json" });
    assert.equal(broken.status, 422);
    const notJson = await fetch(`${t.baseUrl}/api/v1/user/tokens`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{nope" });
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error.code, "bad_request");
    assert.equal(await db("access_tokens").count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 1);
  });

  it("revokes with DELETE (204), after which the token gets 401; someone else's id is a 404", async () => {
    const owner = await buildUser();
    const other = await buildUser();
    const mine = await buildAccessToken(t.ctx, owner, { description: "mine" });
    const victim = await buildAccessToken(t.ctx, other, { description: "theirs" });
    for (const path of [`/api/v1/user/tokens/${victim.row.id}`, "/api/v1/user/tokens/999999", "/api/v1/user/tokens/abc"]) {
      assert.equal((await apiRequest(t.baseUrl, mine.token, "GET", path)).status, 404, `GET ${path}`);
      assert.equal((await apiRequest(t.baseUrl, mine.token, "DELETE", path)).status, 404, `DELETE ${path}`);
    }
    assert.equal((await apiRequest(t.baseUrl, victim.token, "GET", "/api/v1/user")).status, 200, "the other user's token still works");
    const second = await buildAccessToken(t.ctx, owner, { description: "second" });
    assert.equal((await apiRequest(t.baseUrl, mine.token, "DELETE", `/api/v1/user/tokens/${second.row.id}`)).status, 204);
    assert.equal((await apiRequest(t.baseUrl, second.token, "GET", "/api/v1/user")).status, 401);
    assert.equal((await apiRequest(t.baseUrl, mine.token, "DELETE", `/api/v1/user/tokens/${second.row.id}`)).status, 404, "already revoked");
    assert.equal((await apiRequest(t.baseUrl, mine.token, "DELETE", `/api/v1/user/tokens/${mine.row.id}`)).status, 204, "a token may revoke itself");
    assert.equal((await apiRequest(t.baseUrl, mine.token, "GET", "/api/v1/user")).status, 401);
  });

  it("paginates lists with meta and Link headers built from BASE_URL", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user, { description: "t0" });
    for (let i = 1; i <= 4; i++) await buildAccessToken(t.ctx, user, { description: `t${i}` });
    const res = await apiRequest(t.baseUrl, token, "GET", "/api/v1/user/tokens?per_page=2&page=2", undefined, { host: "evil.test" });
    const json = await res.json();
    assert.deepEqual(json.meta, { page: 2, per_page: 2, total: 5, total_pages: 3 });
    assert.deepEqual(json.data.map((d: { description: string }) => d.description), ["t2", "t1"]);
    const link = res.headers.get("link")!;
    const base = `${t.baseUrl}/api/v1/user/tokens`;
    assert.equal(link, [`<${base}?page=1&per_page=2>; rel="first"`, `<${base}?page=1&per_page=2>; rel="prev"`, `<${base}?page=3&per_page=2>; rel="next"`, `<${base}?page=3&per_page=2>; rel="last"`].join(", "));
    const last = await (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user/tokens?per_page=2&page=3")).json();
    assert.deepEqual(last.data.map((d: { description: string }) => d.description), ["t0"]);
    const beyond = await (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user/tokens?per_page=2&page=9")).json();
    assert.deepEqual(beyond.data, []);
    for (const q of ["per_page=0", "per_page=101", "page=0", "page=x"]) {
      const bad = await apiRequest(t.baseUrl, token, "GET", `/api/v1/user/tokens?${q}`);
      assert.equal(bad.status, 422, q);
      assert.ok(Object.keys((await bad.json()).error.fields).length === 1, q);
    }
  });

  it("lists the user's live browser sessions by public id, never the session id", async () => {
    const user = await buildUser();
    const other = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await loginAs(t.baseUrl, other);
    const { token } = await buildAccessToken(t.ctx, user);
    const res = await apiRequest(t.baseUrl, token, "GET", "/api/v1/user/sessions");
    const json = await res.json();
    assert.equal(json.meta.total, 1);
    const [session] = json.data;
    const row = await db("sessions").where({ user_id: user.id }).first();
    assert.equal(session.id, row.public_id);
    assert.ok(!JSON.stringify(json).includes(row.sid));
    assert.ok(!JSON.stringify(json).includes(client.cookie(SESSION_COOKIE)!.slice(4, 20)));
    assert.match(session.device, / on /);
    await db("sessions").where({ sid: row.sid }).update({ ended_at: new Date() });
    const after = await (await apiRequest(t.baseUrl, token, "GET", "/api/v1/user/sessions")).json();
    assert.equal(after.meta.total, 0, "ended sessions are not listed");
  });
});
