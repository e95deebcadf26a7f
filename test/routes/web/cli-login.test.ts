import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { apiRequest } from "../../helpers/tokens";
import { db } from "../../../src/db/knex";
import type { AccessTokenRow } from "../../../src/db/access-tokens";

const REDIRECT = "http://localhost:10003/login";

function pkce() {
  const verifier = crypto.randomBytes(32).toString("base64url");
  return { verifier, challenge: crypto.createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeQuery(overrides: Record<string, string | undefined> = {}, challenge = pkce().challenge) {
  const params: Record<string, string | undefined> = {
    client_id: "terraform-cli", redirect_uri: REDIRECT, response_type: "code",
    code_challenge: challenge, code_challenge_method: "S256", state: "st-123", ...overrides,
  };
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  return q.toString();
}

/** Runs the browser half as a signed-in user and returns the loopback URL the browser is sent to. */
async function approve(client: TestClient, query: string, decision = "authorize"): Promise<URL> {
  const start = await client.get(`/oauth/authorization?${query}`);
  assert.equal(start.status, 302);
  const consent = await client.get(start.location!);
  assert.equal(consent.status, 200, `consent page answered ${consent.status}`);
  const fields = Object.fromEntries([...consent.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, "&")]));
  const res = await client.postRaw("/cli/login", { ...fields, _csrf: csrfTokenFor(consent.html, "/cli/login"), decision });
  assert.equal(res.status, 303);
  return new URL(res.location!);
}

function exchange(baseUrl: string, fields: Record<string, string>) {
  return fetch(`${baseUrl}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
}

describe("CLI sign-in through the browser (login.v1)", () => {
  const t = useTestApp();

  it("advertises login.v1 in /.well-known/terraform.json", async () => {
    const res = await fetch(`${t.baseUrl}/.well-known/terraform.json`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      "login.v1": { client: "terraform-cli", grant_types: ["authz_code"], authz: "/oauth/authorization", token: "/oauth/token", ports: [10000, 10010] },
    });
  });

  it("signs a signed-out user in on the way, asks for consent and issues a token named after the CLI and host", async () => {
    const user = await buildUser();
    const { verifier, challenge } = pkce();
    const client = new TestClient(t.baseUrl);
    const start = await client.get(`/oauth/authorization?${authorizeQuery({}, challenge)}`);
    assert.equal(start.status, 302);
    assert.match(start.location!, /^\/cli\/login\?/);
    const gate = await client.get(start.location!);
    assert.equal(gate.status, 302);
    assert.equal(gate.location, `/login?next=${encodeURIComponent(start.location!)}`);
    const signIn = await client.submit(gate.location!, { login: user.username, password: user.password, next: start.location! }, "/login");
    assert.equal(signIn.location, start.location);

    const consent = await client.get(start.location!);
    assert.equal(consent.status, 200);
    assert.match(consent.html, /Authorize Terraform CLI\?/);
    assert.match(consent.html, /<dd>Terraform CLI<\/dd>/);
    assert.match(consent.html, /127\.0\.0\.1/);
    assert.match(consent.html, /http:\/\/localhost:10003/);
    const csp = consent.headers.get("content-security-policy")!;
    assert.match(csp, /form-action 'self' http:\/\/localhost:10003(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(consent.headers.get("x-frame-options"), "DENY");
    const home = await client.get("/settings/tokens");
    assert.match(home.headers.get("content-security-policy")!, /form-action 'self'(;|$)/, "other pages keep the strict policy");

    const fields = Object.fromEntries([...consent.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
    const back = await client.postRaw("/cli/login", { ...fields, _csrf: csrfTokenFor(consent.html, "/cli/login"), decision: "authorize" });
    assert.equal(back.status, 303);
    const loopback = new URL(back.location!);
    assert.equal(`${loopback.origin}${loopback.pathname}`, REDIRECT);
    assert.equal(loopback.searchParams.get("state"), "st-123");
    const code = loopback.searchParams.get("code")!;
    assert.ok(code.length >= 43);
    const stored = await db("oauth_authorization_codes").first();
    assert.notEqual(stored.code_hash.toString("utf8"), code, "only the hash is stored");

    const res = await exchange(t.baseUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: "terraform-cli", code_verifier: verifier });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const body = await res.json();
    assert.deepEqual(Object.keys(body).sort(), ["access_token", "token_type"]);
    assert.equal(body.token_type, "bearer");
    assert.match(body.access_token, /^gth_/);

    const row = await db<AccessTokenRow>("access_tokens").first();
    assert.equal(row!.description, "Terraform CLI on 127.0.0.1");
    assert.equal(row!.created_via, "cli");
    assert.equal(row!.cli_client, "terraform-cli");
    assert.equal(row!.cli_host, "127.0.0.1");
    assert.equal(await db("oauth_authorization_codes").count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 0);

    assert.equal((await apiRequest(t.baseUrl, body.access_token, "GET", "/api/v2/ping")).status, 204);
    const details = await apiRequest(t.baseUrl, body.access_token, "GET", "/api/v2/account/details");
    assert.match(details.headers.get("content-type")!, /^application\/vnd\.api\+json/);
    assert.deepEqual((await details.json()).data, {
      id: `user-${user.id}`, type: "users",
      attributes: { username: user.username, email: user.email, "display-name": "", "is-service-account": false, "avatar-url": null },
    });
    assert.equal((await apiRequest(t.baseUrl, undefined, "GET", "/api/v2/ping")).status, 401);

    const list = await client.get("/settings/tokens");
    assert.match(list.html, /Terraform CLI on 127\.0\.0\.1/);
    assert.match(list.html, /class="badge">CLI</);
    const sessions = await client.get("/settings/sessions");
    assert.match(sessions.html, /CLI sign-ins[\s\S]*<strong>Terraform CLI<\/strong> <span class="muted">from 127\.0\.0\.1/);
    assert.match(sessions.html, new RegExp(`href="/settings/tokens/${row!.id}/revoke"`));
    await t.mailbox.waitFor(user.email, (m) => /command-line sign-in/.test(m.text));

    const replay = await exchange(t.baseUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: "terraform-cli", code_verifier: verifier });
    assert.equal(replay.status, 400);
    assert.equal((await replay.json()).error, "invalid_grant");
    assert.equal(await db("access_tokens").count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 1);
  });

  it("refuses redirects that are not loopback on an advertised port, and unknown clients, without redirecting", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const bad: Record<string, string>[] = [
      { redirect_uri: "https://evil.test/login" },
      { redirect_uri: "http://evil.test:10003/login" },
      { redirect_uri: "http://localhost/login" },
      { redirect_uri: "http://localhost:9999/login" },
      { redirect_uri: "http://localhost:10011/login" },
      { redirect_uri: "http://127.0.0.1:80/login" },
      { redirect_uri: "https://localhost:10003/login" },
      { redirect_uri: "http://user@localhost:10003/login" },
      { redirect_uri: "http://localhost.evil.test:10003/login" },
      { redirect_uri: "not a url" },
      { redirect_uri: "" },
      { client_id: "other-cli" },
      { client_id: "" },
    ];
    for (const overrides of bad) {
      for (const path of ["/oauth/authorization", "/cli/login"]) {
        const res = await client.get(`${path}?${authorizeQuery(overrides)}`);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(overrides)}`);
        assert.equal(res.location, null);
        assert.match(res.html, /Sign-in link not valid/);
      }
    }
    const ok = await client.get(`/oauth/authorization?${authorizeQuery({ redirect_uri: "http://127.0.0.1:10000/cb" })}`);
    assert.equal(ok.status, 302, "127.0.0.1 at the bottom of the range is fine");
  });

  it("sends other problems back to the CLI as OAuth errors: PKCE is required and must be S256", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const cases: [Record<string, string | undefined>, string][] = [
      [{ code_challenge: undefined }, "invalid_request"],
      [{ code_challenge: "short" }, "invalid_request"],
      [{ code_challenge_method: undefined }, "invalid_request"],
      [{ code_challenge_method: "plain" }, "invalid_request"],
      [{ response_type: "token" }, "unsupported_response_type"],
    ];
    for (const [overrides, error] of cases) {
      const res = await client.get(`/oauth/authorization?${authorizeQuery(overrides)}`);
      assert.equal(res.status, 303, JSON.stringify(overrides));
      const url = new URL(res.location!);
      assert.equal(`${url.origin}${url.pathname}`, REDIRECT);
      assert.equal(url.searchParams.get("error"), error, JSON.stringify(overrides));
      assert.equal(url.searchParams.get("state"), "st-123");
      assert.equal(url.searchParams.get("code"), null);
    }
  });

  it("refuses missing or wrong PKCE verifiers, other redirect URIs and clients; a failed redemption burns the code", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const { verifier, challenge } = pkce();
    const base = { grant_type: "authorization_code", redirect_uri: REDIRECT, client_id: "terraform-cli" };

    let code = (await approve(client, authorizeQuery({}, challenge))).searchParams.get("code")!;
    const missing = await exchange(t.baseUrl, { ...base, code });
    assert.equal(missing.status, 400);
    assert.equal((await missing.json()).error, "invalid_request");
    const wrongGrant = await exchange(t.baseUrl, { ...base, grant_type: "password", code, code_verifier: verifier });
    assert.equal((await wrongGrant.json()).error, "unsupported_grant_type");
    const wrongClient = await exchange(t.baseUrl, { ...base, client_id: "other", code, code_verifier: verifier });
    assert.equal(wrongClient.status, 401);
    assert.equal((await wrongClient.json()).error, "invalid_client");
    const wrongVerifier = await exchange(t.baseUrl, { ...base, code, code_verifier: pkce().verifier });
    assert.equal(wrongVerifier.status, 400);
    assert.equal((await wrongVerifier.json()).error, "invalid_grant");
    const afterWrong = await exchange(t.baseUrl, { ...base, code, code_verifier: verifier });
    assert.equal((await afterWrong.json()).error, "invalid_grant", "the code was burnt by the wrong verifier");

    code = (await approve(client, authorizeQuery({}, challenge))).searchParams.get("code")!;
    const otherRedirect = await exchange(t.baseUrl, { ...base, redirect_uri: "http://localhost:10004/login", code, code_verifier: verifier });
    assert.equal((await otherRedirect.json()).error, "invalid_grant");

    code = (await approve(client, authorizeQuery({}, challenge))).searchParams.get("code")!;
    const ok = await exchange(t.baseUrl, { ...base, code, code_verifier: verifier });
    assert.equal(ok.status, 200, "the flow still works with the right verifier");
    assert.equal(await db("access_tokens").count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 1);
  });

  it("refuses codes older than ten minutes", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const { verifier, challenge } = pkce();
    const code = (await approve(client, authorizeQuery({}, challenge))).searchParams.get("code")!;
    const row = await db("oauth_authorization_codes").first();
    const minutes = (row.expires_at.getTime() - row.created_at.getTime()) / 60_000;
    assert.ok(minutes > 9.9 && minutes < 10.1, `code lives ${minutes} minutes`);
    await db("oauth_authorization_codes").update({ expires_at: new Date(Date.now() - 1000) });
    const res = await exchange(t.baseUrl, { grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: "terraform-cli", code_verifier: verifier });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, "invalid_grant");
  });

  it("sends a cancelled consent back as access_denied and issues nothing", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const back = await approve(client, authorizeQuery(), "cancel");
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), "st-123");
    assert.equal(back.searchParams.get("code"), null);
    assert.equal(await db("oauth_authorization_codes").count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 0);
    assert.ok(await db("security_events").where({ user_id: user.id, action: "cli_login.denied" }).first());
  });

  it("protects the consent form with CSRF and re-checks what it posts", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const consent = await client.get(`/cli/login?${authorizeQuery()}`);
    const fields = Object.fromEntries([...consent.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
    const forged = await client.postRaw("/cli/login", { ...fields, _csrf: "forged", decision: "authorize" });
    assert.equal(forged.status, 403);
    const tampered = await client.postRaw("/cli/login", { ...fields, redirect_uri: "https://evil.test/", _csrf: csrfTokenFor(consent.html, "/cli/login"), decision: "authorize" });
    assert.equal(tampered.status, 400);
    assert.equal(tampered.location, null);
    const anon = await new TestClient(t.baseUrl).postRaw("/cli/login", { ...fields, decision: "authorize" });
    assert.equal(anon.status, 403, "no session, no CSRF token");
    assert.equal(await db("oauth_authorization_codes").count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 0);
  });

  it("does not let unconfirmed accounts approve a sign-in", async () => {
    const user = await buildUser({ confirmed: false });
    const client = await loginAs(t.baseUrl, user);
    const res = await client.get(`/cli/login?${authorizeQuery()}`);
    assert.equal(res.status, 403);
    assert.match(res.html, /Confirm your email/);
  });
});
