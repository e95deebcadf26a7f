import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { buildUser, loginAs } from "../../helpers/factories";
import { addMember, buildOrg, buildTeam } from "../../helpers/orgs";
import { buildAccessToken } from "../../helpers/tokens";
import { createOrgAccessToken } from "../../../src/services/org-access-tokens";
import { buildScimToken, scim } from "./helpers";

describe("SCIM authentication and isolation", () => {
  const t = useTestApp();

  it("answers 401 without a SCIM token, for personal and organization API tokens, and for a session cookie", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const base = `/scim/v2/orgs/${org.slug}`;
    const none = await scim(t.baseUrl, undefined, "GET", `${base}/Users`);
    assert.equal(none.status, 401);
    assert.deepEqual(none.body!.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
    assert.equal(none.body!.status, "401");
    const personal = (await buildAccessToken(t.ctx, owner)).token;
    assert.equal((await scim(t.baseUrl, personal, "GET", `${base}/Users`)).status, 401);
    const orgToken = (await createOrgAccessToken(org, { role: "owner", user_id: owner.id }, { description: "x", scope: "organization", expires_in_days: "none" })).token;
    assert.equal((await scim(t.baseUrl, orgToken, "GET", `${base}/Users`)).status, 401);
    const browser = await loginAs(t.baseUrl, owner);
    assert.equal((await browser.get(`${base}/Users`)).status, 401);
    // And a SCIM token is no API token.
    const scimToken = await buildScimToken(org, owner);
    assert.equal((await fetch(new URL("/api/v1/orgs", t.baseUrl), { headers: { authorization: `Bearer ${scimToken}` } })).status, 401);
  });

  it("a token for organization A sees nothing of organization B (404), and is refused once revoked", async () => {
    const ownerA = await buildUser();
    const ownerB = await buildUser();
    const a = await buildOrg(ownerA);
    const b = await buildOrg(ownerB);
    const memberB = await buildUser();
    await addMember(b, memberB, "member");
    const teamB = await buildTeam(b, "Secret");
    const tokenA = await buildScimToken(a, ownerA);
    assert.equal((await scim(t.baseUrl, tokenA, "GET", `/scim/v2/orgs/${b.slug}/Users`)).status, 404);
    assert.equal((await scim(t.baseUrl, tokenA, "GET", `/scim/v2/orgs/${a.slug}/Users/${memberB.id}`)).status, 404);
    assert.equal((await scim(t.baseUrl, tokenA, "PATCH", `/scim/v2/orgs/${a.slug}/Users/${memberB.id}`, { Operations: [{ op: "replace", value: { active: false } }] })).status, 404);
    assert.equal((await scim(t.baseUrl, tokenA, "GET", `/scim/v2/orgs/${a.slug}/Groups/${teamB.id}`)).status, 404);
    assert.equal((await scim(t.baseUrl, tokenA, "DELETE", `/scim/v2/orgs/${a.slug}/Groups/${teamB.id}`)).status, 404);
    assert.ok(await db("memberships").where({ organization_id: b.id, user_id: memberB.id }).first());
    const list = await scim(t.baseUrl, tokenA, "GET", `/scim/v2/orgs/${a.slug}/Users`);
    assert.deepEqual(list.body!.Resources.map((r: { id: string }) => r.id), [String(ownerA.id)]);
    await db("scim_tokens").update({ revoked_at: new Date() });
    assert.equal((await scim(t.baseUrl, tokenA, "GET", `/scim/v2/orgs/${a.slug}/Users`)).status, 401);
  });
});
