import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { pageCsrfToken } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { addMember, buildOrg } from "../../helpers/orgs";
import { ageRecentAuth } from "../../helpers/two-factor";
import { scim } from "./helpers";

describe("SCIM settings page", () => {
  const t = useTestApp();

  it("shows the base URL, a new token once, its last use, and revokes it after asking; both in the audit log", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug: "acme" });
    const client = await loginAs(t.baseUrl, owner);
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /href="\/orgs\/acme\/settings\/scim"/);
    const empty = await client.get(`/orgs/${org.slug}/settings/scim`);
    assert.equal(empty.status, 200);
    assert.ok(empty.html.includes(`data-testid="scim-base-url">${t.baseUrl}/scim/v2/orgs/acme</code>`), "the base URL is shown");
    const res = await client.submit(`/orgs/${org.slug}/settings/scim`, {}, `/orgs/${org.slug}/settings/scim/tokens`);
    assert.equal(res.status, 302);
    const page = await client.get(res.location!);
    assert.equal(page.headers.get("cache-control"), "no-store");
    const token = page.html.match(/data-testid="new-token">([^<]+)</)![1]!;
    assert.match(token, /^gts_/);
    assert.equal((await scim(t.baseUrl, token, "GET", "/scim/v2/orgs/acme/Users")).status, 200);
    const again = await client.get(`/orgs/${org.slug}/settings/scim`);
    assert.ok(!again.html.includes(token), "shown once");
    assert.ok(again.html.includes(`gts_…${token.slice(-4)}`), "the token is listed by its last 4 characters");
    assert.doesNotMatch(again.html, /Never used/);
    const row = await db("scim_tokens").first();
    assert.notEqual(row.token_hash.toString("hex"), token);
    const ask = await client.get(`/orgs/${org.slug}/settings/scim/tokens/${row.id}/revoke`);
    assert.match(ask.html, /Revoke SCIM token/);
    assert.equal((await client.submit(`/orgs/${org.slug}/settings/scim/tokens/${row.id}/revoke`, {})).status, 302);
    assert.equal((await scim(t.baseUrl, token, "GET", "/scim/v2/orgs/acme/Users")).status, 401);
    const actions = (await db("organization_events").where({ organization_id: org.id }).orderBy("id")).map((e) => e.action);
    assert.deepEqual(actions.filter((a) => a.startsWith("scim_token.")), ["scim_token.created", "scim_token.revoked"]);
    const audit = await client.get(`/orgs/${org.slug}/audit`);
    assert.match(audit.html, /SCIM token created/);
  });

  it("asks for a fresh sign-in before creating a token, and refuses admins (403) and outsiders (404)", async () => {
    const owner = await buildUser();
    const admin = await buildUser();
    const outsider = await buildUser();
    const org = await buildOrg(owner);
    await addMember(org, admin, "admin");
    const client = await loginAs(t.baseUrl, owner);
    await ageRecentAuth(owner.id, 11 * 60_000);
    const page = await client.get(`/orgs/${org.slug}/settings/scim`);
    const res = await client.postRaw(`/orgs/${org.slug}/settings/scim/tokens`, { _csrf: pageCsrfToken(page.html) });
    assert.equal(res.status, 303);
    assert.match(res.location!, /\/settings\/reauthenticate/);
    assert.equal((await db("scim_tokens")).length, 0);
    assert.equal((await (await loginAs(t.baseUrl, admin)).get(`/orgs/${org.slug}/settings/scim`)).status, 403);
    assert.equal((await (await loginAs(t.baseUrl, outsider)).get(`/orgs/${org.slug}/settings/scim`)).status, 404);
  });
});
