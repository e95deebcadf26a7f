import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { fieldError, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, buildTeam } from "../../../helpers/orgs";
import { apiRequest } from "../../../helpers/tokens";
import { db } from "../../../../src/db/knex";

describe("organization and team tokens page", () => {
  const t = useTestApp();

  it("lets an owner create a token that is shown once, then revoke it after asking", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const client = await loginAs(t.baseUrl, owner);
    const res = await client.submit(`/orgs/${org.slug}/tokens`, { description: "Deploys", scope: "organization", expires_in_days: "30" });
    assert.equal(res.status, 302);
    const page = await client.get(res.location!);
    const token = page.html.match(/data-testid="new-token">([^<]+)</)![1]!;
    assert.match(token, /^gto_/);
    assert.equal(page.headers.get("cache-control"), "no-store");
    assert.equal((await apiRequest(t.baseUrl, token, "GET", `/api/v1/orgs/${org.slug}`)).status, 200);
    const again = await client.get(`/orgs/${org.slug}/tokens`);
    assert.ok(!again.html.includes(token), "shown once");
    assert.match(again.html, new RegExp(`gto_…${token.slice(-4)}`));
    const row = await db("access_tokens").first();
    assert.equal(row.user_id, null);
    assert.equal(row.created_by_id, owner.id);
    assert.notEqual(row.token_hash.toString("hex"), token);
    const ask = await client.get(`/orgs/${org.slug}/tokens/${row.id}/revoke`);
    assert.match(ask.html, /Revoke “Deploys”\?/);
    await client.submit(`/orgs/${org.slug}/tokens/${row.id}/revoke`, {});
    assert.equal((await apiRequest(t.baseUrl, token, "GET", `/api/v1/orgs/${org.slug}`)).status, 401);
  });

  it("refuses admins (403), teams of another organization (422) and other organizations' token ids (404)", async () => {
    const owner = await buildUser();
    const admin = await buildUser();
    const org = await buildOrg(owner);
    await addMember(org, admin, "admin");
    const otherOwner = await buildUser();
    const other = await buildOrg(otherOwner);
    const foreignTeam = await buildTeam(other, "Foreign");
    const a = await loginAs(t.baseUrl, admin);
    assert.equal((await a.get(`/orgs/${org.slug}/tokens`)).status, 403);
    const o = await loginAs(t.baseUrl, owner);
    const res = await o.submit(`/orgs/${org.slug}/tokens`, { description: "x", scope: String(foreignTeam.id), expires_in_days: "30" });
    assert.equal(res.status, 422);
    assert.match(fieldError(res.html, "scope") ?? "", /one of its teams/);
    assert.equal((await db("access_tokens")).length, 0);
    const oo = await loginAs(t.baseUrl, otherOwner);
    await oo.submit(`/orgs/${other.slug}/tokens`, { description: "theirs", scope: String(foreignTeam.id), expires_in_days: "none" });
    const theirs = await db("access_tokens").first();
    assert.match(theirs.token_prefix, /gtt_/);
    assert.equal((await o.get(`/orgs/${org.slug}/tokens/${theirs.id}/revoke`)).status, 404);
    const page = await o.get(`/orgs/${org.slug}/tokens`);
    const csrf = pageCsrfToken(page.html);
    assert.equal((await o.postRaw(`/orgs/${org.slug}/tokens/${theirs.id}/revoke`, { _csrf: csrf })).status, 404);
    assert.equal((await db("access_tokens").first()).revoked_at, null);
  });
});
