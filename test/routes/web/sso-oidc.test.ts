import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { fieldError, signedInAs, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { useOidcIdp } from "../../helpers/oidc-idp";
import { buildOrg, roleOf } from "../../helpers/orgs";
import { buildOrgWithOidc, follow, startSso } from "../../helpers/sso";

describe("single sign-on with OpenID Connect", () => {
  const t = useTestApp();
  const idp = useOidcIdp();

  const acmeWithOidc = () => buildOrgWithOidc(t.baseUrl, idp);

  /** A whole sign-in: /login/sso, the IdP, back to our callback; returns the callback's answer and the final page. */
  async function signInThroughIdp(client: TestClient, emailOrSlug = "ada@acme.test") {
    const authorize = await startSso(client, emailOrSlug);
    const toCallback = await follow(client, authorize, (u) => u.pathname.endsWith("/oidc/callback"));
    const callback = await client.get(toCallback.url);
    return { callback, callbackUrl: toCallback.url };
  }

  it("stores the client secret sealed and never shows it again", async () => {
    const { org, ownerClient } = await acmeWithOidc();
    const row = await db("organization_sso_providers").where({ organization_id: org.id }).first();
    assert.equal(row.protocol, "oidc");
    assert.ok(!row.oidc_client_secret_sealed.includes(idp.clientSecret));
    const page = await ownerClient.get("/orgs/acme/settings/sso");
    assert.ok(!page.html.includes(idp.clientSecret));
    assert.match(page.html, new RegExp(`/sso/${org.id}/oidc/callback`));
    const events = await db("organization_events").where({ organization_id: org.id, action: "sso.configured" });
    assert.equal(events.length, 1);
  });

  it("refuses an issuer without a discovery document with a 422 beside the field", async () => {
    const owner = await buildUser();
    await buildOrg(owner, { slug: "bad" });
    const client = await loginAs(t.baseUrl, owner);
    const res = await client.submit("/orgs/bad/settings/sso", { issuer: `${t.baseUrl}/nothing-here`, client_id: "x", client_secret: "y" }, "/orgs/bad/settings/sso/oidc");
    assert.equal(res.status, 422);
    assert.match(fieldError(res.html, "issuer") ?? "", /could not read this issuer/);
    assert.match(res.html, /value="x"/, "the typed client id is kept");
  });

  it("creates a confirmed account just in time and joins the organization as a member", async () => {
    const { org } = await acmeWithOidc();
    const client = new TestClient(t.baseUrl);
    const { callback } = await signInThroughIdp(client);
    assert.equal(callback.status, 302, callback.html.slice(0, 300));
    // The "about you" step, then the organization just joined (not the choice of one to join).
    assert.equal(callback.location, `/welcome?next=${encodeURIComponent(`/orgs/${org.slug}`)}`);
    const skipped = await client.submit(callback.location!, { next: `/orgs/${org.slug}` }, "/welcome/skip");
    assert.equal(skipped.location, `/orgs/${org.slug}`);
    assert.equal(await signedInAs(client), "ada");
    const user = await db("users").where({ email: "ada@acme.test" }).first();
    assert.ok(user.email_confirmed_at);
    assert.equal(user.display_name, "Ada Lovelace");
    assert.equal(await roleOf(org, user), "member");
    const identity = await db("identities").where({ user_id: user.id }).first();
    assert.equal(identity.provider, `sso:${org.id}`);
    assert.equal(identity.provider_user_id, "oidc-user-1");
  });

  it("signs an existing linked account in again, by its organization slug too", async () => {
    await acmeWithOidc();
    const first = new TestClient(t.baseUrl);
    await signInThroughIdp(first);
    const again = new TestClient(t.baseUrl);
    const { callback } = await signInThroughIdp(again, "acme");
    assert.equal(callback.status, 302);
    assert.equal(await signedInAs(again), "ada");
    assert.equal((await db("users").where({ email: "ada@acme.test" })).length, 1);
    const sessionRow = await db("sessions").where({ user_id: (await db("users").where({ email: "ada@acme.test" }).first()).id }).orderBy("created_at", "desc").first();
    assert.ok(sessionRow, "a session row exists");
  });

  it("never links or joins an existing account with the same address", async () => {
    const { org } = await acmeWithOidc();
    const existing = await buildUser({ username: "ada-password", email: "ada@acme.test" });
    const client = new TestClient(t.baseUrl);
    const { callback } = await signInThroughIdp(client);
    assert.equal(callback.status, 409);
    assert.match(callback.html, /You already have an account/);
    assert.equal(await signedInAs(client), undefined);
    assert.equal(await roleOf(org, existing), undefined);
    assert.equal((await db("identities").where({ user_id: existing.id })).length, 0);
  });

  it("refuses an address the IdP does not mark verified", async () => {
    await acmeWithOidc();
    idp.user = { ...idp.user, sub: "unverified-1", email: "eve@acme.test", email_verified: false };
    try {
      const client = new TestClient(t.baseUrl);
      const { callback } = await signInThroughIdp(client);
      assert.equal(callback.status, 403);
      assert.equal(await db("users").where({ email: "eve@acme.test" }).first(), undefined);
    } finally {
      idp.user = { sub: "oidc-user-1", email: "ada@acme.test", email_verified: true, name: "Ada Lovelace" };
    }
  });

  it("refuses a tampered state, a callback replayed, and a callback from another browser's flow", async () => {
    await acmeWithOidc();
    const client = new TestClient(t.baseUrl);
    const authorize = await startSso(client, "ada@acme.test");
    const { url } = await follow(client, authorize, (u) => u.pathname.endsWith("/oidc/callback"));
    const tampered = new URL(url);
    tampered.searchParams.set("state", "forged");
    assert.equal((await client.get(tampered.href)).status, 400);
    // The flow was consumed by the refused attempt: the genuine callback no longer works either.
    assert.equal((await client.get(url)).status, 400);
    assert.equal(await signedInAs(client), undefined);

    const victim = new TestClient(t.baseUrl);
    const attacker = new TestClient(t.baseUrl);
    const attackerAuthorize = await startSso(attacker, "ada@acme.test");
    const attackerCallback = await follow(attacker, attackerAuthorize, (u) => u.pathname.endsWith("/oidc/callback"));
    await startSso(victim, "ada@acme.test");
    assert.equal((await victim.get(attackerCallback.url)).status, 400);
    assert.equal(await signedInAs(victim), undefined);
  });

  it("says only that no organization uses SSO for an unknown domain or slug", async () => {
    await acmeWithOidc();
    const client = new TestClient(t.baseUrl);
    for (const typed of ["someone@unknown.test", "no-such-org"]) {
      const res = await client.submit("/login/sso", { email_or_slug: typed });
      assert.equal(res.status, 422);
      assert.equal(fieldError(res.html, "email_or_slug"), "No organization uses single sign-on for that address or slug.");
    }
    // An organization without SSO answers the same.
    const other = await buildUser();
    await buildOrg(other, { slug: "plain" });
    const res = await client.submit("/login/sso", { email_or_slug: "plain" });
    assert.equal(fieldError(res.html, "email_or_slug"), "No organization uses single sign-on for that address or slug.");
  });
});
