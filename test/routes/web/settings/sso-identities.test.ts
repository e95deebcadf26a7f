import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { hashPassword } from "../../../../src/auth/passwords";
import { useTestApp } from "../../../helpers/app";
import { TestClient, csrfTokenFor } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { useOidcIdp } from "../../../helpers/oidc-idp";
import { addMember } from "../../../helpers/orgs";
import { buildOrgWithOidc, follow, idpUrlOf, startSso } from "../../../helpers/sso";
import { ageRecentAuth } from "../../../helpers/two-factor";

describe("SSO identities in settings", () => {
  const t = useTestApp();
  const idp = useOidcIdp();

  const acmeWithOidc = () => buildOrgWithOidc(t.baseUrl, idp);

  async function throughIdp(client: TestClient, authorize: string) {
    const callback = await follow(client, authorize, (u) => u.pathname.endsWith("/oidc/callback"));
    return client.get(callback.url);
  }

  it("lists the SSO identity and keeps it while it is the only way in; removes it once a password exists", async () => {
    const { org } = await acmeWithOidc();
    const client = new TestClient(t.baseUrl);
    await throughIdp(client, await startSso(client, "ada@acme.test"));
    const page = await client.get("/settings/identities");
    assert.match(page.html, /Acme SSO/);
    assert.match(page.html, /Only way to sign in/);
    const identity = await db("identities").where({ provider: `sso:${org.id}` }).first();
    const refused = await client.postRaw(`/settings/identities/${identity.id}/delete`, { _csrf: csrfTokenFor(page.html, "/logout") });
    assert.equal(refused.status, 302);
    assert.ok(await db("identities").where({ id: identity.id }).first(), "the only way in stays");

    await db("users").where({ id: identity.user_id }).update({ password_hash: await hashPassword("a long enough password 42") });
    const confirm = await client.get(`/settings/identities/${identity.id}/delete`);
    const removed = await client.submit(`/settings/identities/${identity.id}/delete`, {});
    assert.equal(confirm.status, 200);
    assert.equal(removed.status, 302);
    assert.equal(await db("identities").where({ id: identity.id }).first(), undefined);
  });

  it("links the organization's SSO to an existing account from settings, and then signs it in", async () => {
    const { org } = await acmeWithOidc();
    const ada = await buildUser({ username: "ada-pw", email: "ada@acme.test" });
    await addMember(org, ada, "member");
    const client = await loginAs(t.baseUrl, ada);
    const settings = await client.get("/settings/identities");
    assert.match(settings.html, /Connect Acme SSO/);
    const start = await client.postRaw("/login/sso", { _csrf: csrfTokenFor(settings.html, "/login/sso"), intent: "link", email_or_slug: "acme" });
    assert.equal(start.status, 200);
    const back = await throughIdp(client, idpUrlOf(start));
    assert.equal(back.location, "/settings/identities");
    const identity = await db("identities").where({ user_id: ada.id, provider: `sso:${org.id}` }).first();
    assert.equal(identity.provider_user_id, "oidc-user-1");

    const later = new TestClient(t.baseUrl);
    const res = await throughIdp(later, await startSso(later, "ada@acme.test"));
    assert.equal(res.status, 302);
    assert.match((await later.get("/settings/profile")).html, /Signed in as <strong>ada-pw<\/strong>/);
  });

  it("lets an account without a password prove itself again through its organization's SSO (sudo)", async () => {
    await acmeWithOidc();
    const client = new TestClient(t.baseUrl);
    await throughIdp(client, await startSso(client, "ada@acme.test"));
    const ada = await db("users").where({ email: "ada@acme.test" }).first();
    await ageRecentAuth(ada.id, 60 * 60_000);
    const stale = await client.submit("/settings/tokens", { description: "too late", expires_in_days: "30" });
    assert.match(stale.location ?? "", /^\/settings\/reauthenticate/);
    const asked = await client.get("/settings/reauthenticate?returnTo=%2Fsettings%2Ftokens");
    assert.match(asked.html, /Continue with Acme SSO/);
    const start = await client.postRaw("/login/sso", { _csrf: csrfTokenFor(asked.html, "/login/sso"), intent: "reauth", email_or_slug: "acme", returnTo: "/settings/tokens" });
    assert.equal(start.status, 200);
    const back = await throughIdp(client, idpUrlOf(start));
    assert.equal(back.location, "/settings/tokens");
    const created = await client.submit("/settings/tokens", { description: "after sso sudo", expires_in_days: "30" });
    assert.equal(created.status, 302);
    assert.equal(created.location, "/settings/tokens", "the sensitive action is open again");
  });
});
