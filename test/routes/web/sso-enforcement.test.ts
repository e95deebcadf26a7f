import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { fieldError, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { useOidcIdp } from "../../helpers/oidc-idp";
import { addMember } from "../../helpers/orgs";
import { buildOrgWithOidc, follow, startSso } from "../../helpers/sso";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";

describe("requiring single sign-on", () => {
  const t = useTestApp();
  const idp = useOidcIdp();

  /** Acme with OIDC and "require SSO" on; Bob is a password member whose IdP subject is oidc-user-1. */
  async function acmeRequiringSso() {
    const { owner, org, ownerClient } = await buildOrgWithOidc(t.baseUrl, idp);
    const page = "/orgs/acme/settings/sso";
    const bad = await ownerClient.submit(page, { require_sso: "yes", session_lifetime_hours: "0" }, `${page}/policy`);
    assert.equal(bad.status, 422);
    assert.ok(fieldError(bad.html, "session_lifetime_hours"));
    assert.equal((await ownerClient.submit(page, { require_sso: "yes", session_lifetime_hours: "12" }, `${page}/policy`)).status, 302);
    const bob = await buildUser({ username: "bob", email: "bob@acme.test" });
    await addMember(org, bob, "member");
    await db("identities").insert({ user_id: bob.id, provider: `sso:${org.id}`, provider_user_id: "oidc-user-1", provider_username: "bob", last_used_at: null });
    return { owner, org, ownerClient, bob };
  }

  async function ssoSignIn(client: TestClient) {
    const authorize = await startSso(client, "bob@acme.test");
    const callback = await follow(client, authorize, (u) => u.pathname.endsWith("/oidc/callback"));
    const res = await client.get(callback.url);
    assert.equal(res.status, 302, `SSO callback answered ${res.status}`);
  }

  it("shows a member signed in with a password only the SSO page; after SSO the organization opens; owners keep their way in", async () => {
    const { ownerClient, bob } = await acmeRequiringSso();
    const withPassword = await loginAs(t.baseUrl, bob);
    for (const path of ["/orgs/acme", "/orgs/acme/members", "/orgs/acme/teams"]) {
      const page = await withPassword.get(path);
      assert.equal(page.status, 403, path);
      assert.match(page.html, /Sign in with Acme’s SSO to continue/);
    }
    assert.equal((await withPassword.get("/orgs/acme/leave")).status, 200, "leaving stays open");

    const viaSso = new TestClient(t.baseUrl);
    await ssoSignIn(viaSso);
    assert.equal((await viaSso.get("/orgs/acme/members")).status, 200);
    // Break glass: the owner signed in with a password is not held at the SSO page.
    assert.equal((await ownerClient.get("/orgs/acme/members")).status, 200);
    assert.equal((await ownerClient.get("/orgs/acme/settings/sso")).status, 200);
  });

  it("accepts a member's personal token on the organization's API only within the SSO session lifetime since their last SSO sign-in", async () => {
    const { org, bob } = await acmeRequiringSso();
    const { token } = await buildAccessToken(t.ctx, bob);
    const before = await apiRequest(t.baseUrl, token, "GET", "/api/v1/orgs/acme/members");
    assert.equal(before.status, 403);
    assert.equal((await before.json()).error.code, "sso_required");
    // Outside the organization the token works as ever.
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 200);

    await ssoSignIn(new TestClient(t.baseUrl));
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/orgs/acme/members")).status, 200);

    await db("identities").where({ user_id: bob.id, provider: `sso:${org.id}` }).update({ last_used_at: new Date(Date.now() - 13 * 3_600_000) });
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/orgs/acme/members")).status, 403);
  });

  it("lets members in again however they signed in once the requirement is off", async () => {
    const { ownerClient, bob } = await acmeRequiringSso();
    const withPassword = await loginAs(t.baseUrl, bob);
    assert.equal((await withPassword.get("/orgs/acme/members")).status, 403);
    // The organization's settings page says so beside its other policies.
    const ssoState = async () => /data-testid="sso-state">([\s\S]*?)<\/p>/.exec((await ownerClient.get("/orgs/acme/settings")).html)![1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
    assert.match(await ssoState(), /^OpenID Connect Required: members reach Acme only after signing in/);
    assert.equal((await ownerClient.submit("/orgs/acme/settings/sso", { session_lifetime_hours: "12" }, "/orgs/acme/settings/sso/policy")).status, 302);
    assert.equal((await withPassword.get("/orgs/acme/members")).status, 200);
    assert.match(await ssoState(), /not required/);
    assert.equal((await ownerClient.submit("/orgs/acme/settings/sso/remove", {}, "/orgs/acme/settings/sso/remove")).status, 302);
    assert.match(await ssoState(), /^Not set up/);
  });
});
