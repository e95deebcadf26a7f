import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor, fieldError, inputValue, TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { db } from "../../../../src/db/knex";
import { hashToken } from "../../../../src/lib/tokens";
import type { AccessTokenRow } from "../../../../src/db/access-tokens";

const TOKEN = /data-testid="new-token">(gth_[0-9A-Za-z]{49})</;

/** Creates a token through the form and returns the page shown after the redirect. */
async function createToken(client: TestClient, description: string, expires = "90") {
  const res = await client.submit("/settings/tokens", { description, expires_in_days: expires });
  assert.equal(res.status, 302, `create answered ${res.status}`);
  assert.equal(res.location, "/settings/tokens");
  return client.get("/settings/tokens");
}

describe("settings: personal access tokens", () => {
  const t = useTestApp();

  it("creates a token, shows it exactly once, stores only its hash and mails a security notice", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const page = await createToken(client, "CI deploys", "30");
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("cache-control"), "no-store");
    const token = page.html.match(TOKEN)?.[1];
    assert.ok(token, "the new token is on the page");
    assert.match(page.html, /It will not be shown again/);
    assert.match(page.html, /data-copy-target="new-token"/);
    assert.match(page.html, /<script src="\/public\/js\/copy.js"/);

    const row = await db<AccessTokenRow>("access_tokens").first();
    assert.ok(row);
    assert.deepEqual(row.token_hash, hashToken(token));
    assert.equal(row.last4, token.slice(-4));
    assert.equal(row.created_via, "web");
    const days = (row.expires_at!.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
    assert.ok(!JSON.stringify(await db("access_tokens").select()).includes(token), "no column holds the secret");

    const again = await client.get("/settings/tokens");
    assert.doesNotMatch(again.html, TOKEN);
    assert.ok(!again.html.includes(token));
    assert.ok(again.html.includes(`gth_…${token.slice(-4)}`));
    assert.match(again.html, /CI deploys/);
    assert.match(again.html, /Never used/);

    const mail = await t.mailbox.waitFor(user.email, (m) => /access token was created/i.test(m.subject));
    assert.match(mail.text, /CI deploys/);
    assert.ok(!mail.text.includes(token) && !mail.html.includes(token), "the notice never carries the token");
    const event = await db("security_events").where({ user_id: user.id, action: "access_token.created" }).first();
    assert.ok(event);
  });

  it("offers 30, 60, 90, 365 days and no expiry, 90 preselected; no expiry stores null", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const form = await client.get("/settings/tokens");
    for (const v of ["30", "60", "90", "365", "none"]) assert.match(form.html, new RegExp(`<option value="${v}"`));
    assert.match(form.html, /<option value="90" selected>/);
    await createToken(client, "forever", "none");
    const row = await db<AccessTokenRow>("access_tokens").first();
    assert.equal(row!.expires_at, null);
  });

  it("refuses a missing or too long description and an unknown expiry with 422, keeping what was typed", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const empty = await client.submit("/settings/tokens", { description: "   ", expires_in_days: "60" });
    assert.equal(empty.status, 422);
    assert.equal(fieldError(empty.html, "description"), "Describe what the token is for.");
    assert.match(empty.html, /<option value="60" selected>/);
    const long = await client.submit("/settings/tokens", { description: "x".repeat(101), expires_in_days: "90" });
    assert.equal(long.status, 422);
    assert.equal(fieldError(long.html, "description"), "Use at most 100 characters.");
    assert.equal(inputValue(long.html, "description"), "x".repeat(101));
    const odd = await client.submit("/settings/tokens", { description: "ok", expires_in_days: "7" });
    assert.equal(odd.status, 422);
    assert.match(odd.html, /id="field-expires_in_days-error">Choose 30, 60, 90, 365 days or no expiry\./);
    assert.equal(await db("access_tokens").count<{ count: string }[]>("* as count").first().then((r) => Number(r!.count)), 0);
  });

  it("revokes after a confirmation page; the token stops working on the API at once", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const page = await createToken(client, "to revoke");
    const token = page.html.match(TOKEN)![1]!;
    const api = () => fetch(`${t.baseUrl}/api/v1/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await api()).status, 200);
    const row = await db<AccessTokenRow>("access_tokens").first();
    const confirm = await client.get(`/settings/tokens/${row!.id}/revoke`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Revoke “to revoke”\?/);
    assert.match(confirm.html, /class="button button--danger">Revoke token</);
    const res = await client.submit(`/settings/tokens/${row!.id}/revoke`, {});
    assert.equal(res.status, 302);
    const list = await client.get("/settings/tokens");
    assert.match(list.html, /Token “to revoke” revoked/);
    assert.match(list.html, /You have no access tokens yet/);
    assert.equal((await api()).status, 401);
    assert.ok(await db("security_events").where({ user_id: user.id, action: "access_token.revoked" }).first());
  });

  it("answers 404 for someone else's token id, and refuses revoking without CSRF", async () => {
    const owner = await buildUser();
    const ownerClient = await loginAs(t.baseUrl, owner);
    await createToken(ownerClient, "owner's token");
    const row = await db<AccessTokenRow>("access_tokens").first();
    const other = await buildUser();
    const attacker = await loginAs(t.baseUrl, other);
    assert.equal((await attacker.get(`/settings/tokens/${row!.id}/revoke`)).status, 404);
    const list = await attacker.get("/settings/tokens");
    const token = csrfTokenFor(list.html, "/settings/tokens");
    assert.equal((await attacker.postRaw(`/settings/tokens/${row!.id}/revoke`, { _csrf: token })).status, 404);
    assert.equal((await attacker.get("/settings/tokens/abc/revoke")).status, 404);
    assert.equal((await ownerClient.postRaw(`/settings/tokens/${row!.id}/revoke`, { _csrf: "forged" })).status, 403);
    const still = await db<AccessTokenRow>("access_tokens").first();
    assert.equal(still!.revoked_at, null);
  });

  it("marks expired tokens and pages long lists", async () => {
    const user = await buildUser();
    const rows = Array.from({ length: 23 }, (_, i) => ({
      user_id: user.id, description: `token ${String(i).padStart(2, "0")}`, token_hash: hashToken(`t${i}`), token_prefix: "gth_",
      last4: String(1000 + i), created_via: "web", created_at: new Date(Date.now() - (23 - i) * 60_000),
      expires_at: i === 22 ? new Date(Date.now() - 1000) : null,
    }));
    await db("access_tokens").insert(rows);
    const client = await loginAs(t.baseUrl, user);
    const first = await client.get("/settings/tokens");
    assert.match(first.html, /token 22/);
    assert.match(first.html, /badge--danger">Expired/);
    assert.doesNotMatch(first.html, /token 02/);
    assert.match(first.html, /Page 1 of 2/);
    const second = await client.get("/settings/tokens?page=2");
    assert.match(second.html, /token 00/);
    assert.doesNotMatch(second.html, /token 22/);
  });

  it("sends signed-out visitors to sign in, and unconfirmed accounts get the confirm page", async () => {
    const anon = new TestClient(t.baseUrl);
    const res = await anon.get("/settings/tokens");
    assert.equal(res.status, 302);
    assert.equal(res.location, `/login?next=${encodeURIComponent("/settings/tokens")}`);
    const unconfirmed = await buildUser({ confirmed: false });
    const client = await loginAs(t.baseUrl, unconfirmed);
    assert.equal((await client.get("/settings/tokens")).status, 403);
  });

  it("never lets a bearer token authenticate a web page", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const token = (await createToken(client, "web?")).html.match(TOKEN)![1]!;
    const res = await fetch(`${t.baseUrl}/settings/tokens`, { headers: { authorization: `Bearer ${token}` }, redirect: "manual" });
    assert.equal(res.status, 302);
    assert.match(res.headers.get("location")!, /^\/login/);
  });
});
