import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { buildUser } from "../../helpers/factories";
import { addMember, buildOrg, buildTeam } from "../../helpers/orgs";
import { buildScimToken, scim } from "./helpers";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe("SCIM Groups", () => {
  const t = useTestApp();

  async function setup() {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const token = await buildScimToken(org, owner);
    const [a, b] = [await buildUser(), await buildUser()];
    await addMember(org, a, "member");
    await addMember(org, b, "member");
    return { owner, org, token, a, b, base: `/scim/v2/orgs/${org.slug}` };
  }

  const membersOf = async (teamId: number) => (await db("team_memberships").where({ team_id: teamId }).orderBy("user_id")).map((m) => m.user_id);

  it("creates a team with members, finds it by displayName, and follows Entra ID's member PATCHes", async () => {
    const { token, a, b, base } = await setup();
    const created = await scim(t.baseUrl, token, "POST", `${base}/Groups`, { schemas: [GROUP], externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", displayName: "Group1DisplayName", members: [{ value: String(a.id) }] });
    assert.equal(created.status, 201);
    const id = Number(created.body!.id);
    assert.deepEqual(await membersOf(id), [a.id]);
    const found = await scim(t.baseUrl, token, "GET", `${base}/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "group1displayname"')}`);
    assert.equal(found.body!.totalResults, 1);
    assert.equal(found.body!.Resources[0].members, undefined);
    // Entra ID: {"op":"Add","path":"members","value":[{"value":"<id>"}]}, then "Remove" the same way.
    const add = await scim(t.baseUrl, token, "PATCH", `${base}/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: "Add", path: "members", value: [{ value: String(b.id) }] }] });
    assert.equal(add.status, 200);
    assert.deepEqual(await membersOf(id), [a.id, b.id].sort((x, y) => x - y));
    const has = await scim(t.baseUrl, token, "GET", `${base}/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${id}" and members eq "${b.id}"`)}`);
    assert.equal(has.body!.totalResults, 1);
    await scim(t.baseUrl, token, "PATCH", `${base}/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: "Remove", path: "members", value: [{ value: String(a.id) }] }] });
    assert.deepEqual(await membersOf(id), [b.id]);
    // Entra ID renames with a replace of displayName.
    await scim(t.baseUrl, token, "PATCH", `${base}/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: "Replace", path: "displayName", value: "Renamed" }] });
    assert.equal((await db("teams").where({ id }).first()).name, "Renamed");
  });

  it("follows Okta's group PATCHes: members[value eq \"id\"] remove and replace without a path", async () => {
    const { org, token, a, b, base } = await setup();
    const team = await buildTeam(org, "Engineering", [{ id: a.id }, { id: b.id }]);
    const res = await scim(t.baseUrl, token, "PATCH", `${base}/Groups/${team.id}`, { schemas: [PATCH], Operations: [{ op: "remove", path: `members[value eq "${a.id}"]` }, { op: "replace", value: { id: String(team.id), displayName: "Eng" } }] });
    assert.equal(res.status, 200);
    assert.equal(res.body!.displayName, "Eng");
    assert.deepEqual(res.body!.members.map((m: { value: string }) => m.value), [String(b.id)]);
  });

  it("refuses members who are not active users (400), taken names (409), and deletes the team but not its members", async () => {
    const { org, token, a, base } = await setup();
    const outsider = await buildUser();
    const bad = await scim(t.baseUrl, token, "POST", `${base}/Groups`, { schemas: [GROUP], displayName: "X", members: [{ value: String(outsider.id) }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body!.scimType, "invalidValue");
    assert.equal((await db("teams").where({ organization_id: org.id })).length, 0, "nothing half-written");
    await buildTeam(org, "Taken");
    const dup = await scim(t.baseUrl, token, "POST", `${base}/Groups`, { schemas: [GROUP], displayName: "taken" });
    assert.equal(dup.status, 409);
    assert.equal(dup.body!.scimType, "uniqueness");
    const team = await buildTeam(org, "Gone", [{ id: a.id }]);
    assert.equal((await scim(t.baseUrl, token, "DELETE", `${base}/Groups/${team.id}`)).status, 204);
    assert.equal(await db("teams").where({ id: team.id }).first(), undefined);
    assert.ok(await db("memberships").where({ organization_id: org.id, user_id: a.id }).first());
  });

  it("a deactivated user leaves the group; PUT replaces the members", async () => {
    const { org, token, a, b, base } = await setup();
    const team = await buildTeam(org, "Ops", [{ id: a.id }]);
    await scim(t.baseUrl, token, "PATCH", `${base}/Users/${a.id}`, { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] });
    assert.deepEqual((await scim(t.baseUrl, token, "GET", `${base}/Groups/${team.id}`)).body!.members, []);
    const put = await scim(t.baseUrl, token, "PUT", `${base}/Groups/${team.id}`, { schemas: [GROUP], displayName: "Ops", members: [{ value: String(b.id) }] });
    assert.equal(put.status, 200);
    assert.deepEqual(await membersOf(team.id), [b.id]);
  });
});
