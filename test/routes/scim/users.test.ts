import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { buildUser } from "../../helpers/factories";
import { addMember, buildOrg, buildTeam, roleOf } from "../../helpers/orgs";
import { buildScimToken, scim } from "./helpers";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

/** RFC 7644 §3.3's example: creating bjensen. */
const RFC_CREATE = { schemas: [USER], userName: "bjensen", externalId: "bjensen", name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara" }, emails: [{ value: "bjensen@example.com", type: "work", primary: true }] };

/** Okta's create request (SCIM 2.0 protocol reference, "Create the user"). */
const OKTA_CREATE = {
  schemas: [USER], userName: "test.user@okta.local", name: { givenName: "Test", familyName: "User" },
  emails: [{ primary: true, value: "test.user@okta.local", type: "work" }], displayName: "Test User", locale: "en-US", externalId: "00ujl29u0le5T6Aj10h7", groups: [], password: "1mz050nq", active: true,
};

/** Entra ID's create request (Tutorial: Develop a sample SCIM endpoint), enterprise extension included. */
const ENTRA_CREATE = {
  schemas: [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.com", active: true,
  emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@contoso.com" }],
  meta: { resourceType: "User" }, name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" }, roles: [],
};

describe("SCIM Users", () => {
  const t = useTestApp();

  async function setup() {
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug: "acme" });
    const token = await buildScimToken(org, owner);
    return { owner, org, token, base: `/scim/v2/orgs/${org.slug}` };
  }

  it("creates the RFC 7644 §3.3 example as an unconfirmed, passwordless account that joins as a member", async () => {
    const { org, token, base } = await setup();
    const res = await scim(t.baseUrl, token, "POST", `${base}/Users`, RFC_CREATE);
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type") ?? "", /^application\/scim\+json/);
    assert.equal(res.headers.get("location"), `${t.baseUrl}${base}/Users/${res.body!.id}`);
    assert.equal(res.body!.userName, "bjensen");
    assert.equal(res.body!.externalId, "bjensen");
    assert.equal(res.body!.active, true);
    assert.deepEqual(res.body!.name, RFC_CREATE.name);
    const user = await db("users").where({ id: Number(res.body!.id) }).first();
    assert.equal(user.email, "bjensen@example.com");
    assert.equal(user.email_confirmed_at, null);
    assert.equal(user.password_hash, null);
    assert.equal(user.username, "bjensen");
    assert.equal(await roleOf(org, user), "member");
    const got = await scim(t.baseUrl, token, "GET", `${base}/Users/${res.body!.id}`);
    assert.deepEqual(got.body, res.body);
  });

  it("lets an existing confirmed account join without changing it, and finds it by the filters IdPs send (RFC 7644 §3.4.2.2)", async () => {
    const { org, token, base } = await setup();
    const existing = await buildUser({ email: "Test.User@okta.local", displayName: "Own Name" });
    const res = await scim(t.baseUrl, token, "POST", `${base}/Users`, OKTA_CREATE, "application/json");
    assert.equal(res.status, 201);
    assert.equal(res.body!.id, String(existing.id));
    const after = await db("users").where({ id: existing.id }).first();
    assert.equal(after.display_name, "Own Name");
    assert.equal(after.password_hash, existing.password_hash);
    assert.equal(await roleOf(org, existing), "member");
    for (const filter of ['userName eq "test.user@okta.local"', 'emails[type eq "work"].value eq "test.user@okta.local"', 'externalId eq "00ujl29u0le5T6Aj10h7"', 'USERNAME Eq "TEST.USER@okta.local" and active eq true']) {
      const list = await scim(t.baseUrl, token, "GET", `${base}/Users?filter=${encodeURIComponent(filter)}`);
      assert.equal(list.status, 200, filter);
      assert.equal(list.body!.totalResults, 1, filter);
      assert.equal(list.body!.Resources[0].id, String(existing.id), filter);
    }
    const none = await scim(t.baseUrl, token, "GET", `${base}/Users?filter=${encodeURIComponent('userName eq "nobody@okta.local"')}`);
    assert.deepEqual(none.body, { schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    const bad = await scim(t.baseUrl, token, "GET", `${base}/Users?filter=${encodeURIComponent('userName co "x"')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body!.scimType, "invalidFilter");
    assert.equal(bad.body!.status, "400");
  });

  it("pages with startIndex and count, members who joined otherwise included", async () => {
    const { owner, org, token, base } = await setup();
    for (let i = 0; i < 4; i++) await addMember(org, await buildUser(), "member");
    const all = await scim(t.baseUrl, token, "GET", `${base}/Users?startIndex=1&count=2`);
    assert.equal(all.body!.totalResults, 5);
    assert.equal(all.body!.itemsPerPage, 2);
    assert.equal(all.body!.Resources[0].id, String(owner.id));
    assert.equal(all.body!.Resources[0].userName, owner.email);
    const last = await scim(t.baseUrl, token, "GET", `${base}/Users?startIndex=5&count=2`);
    assert.equal(last.body!.itemsPerPage, 1);
    assert.equal(last.body!.startIndex, 5);
  });

  it("accepts Entra ID's requests: enterprise extension on create, capitalised ops, emails[type eq \"work\"].value, \"False\" as a string", async () => {
    const { org, token, base } = await setup();
    const created = await scim(t.baseUrl, token, "POST", `${base}/Users`, ENTRA_CREATE);
    assert.equal(created.status, 201);
    const id = created.body!.id;
    const user = await db("users").where({ id: Number(id) }).first();
    assert.equal(user.username, "Test-User-ab6490ee-1e48-479e-a20", "the local part in the username alphabet, cut to 32 characters");
    assert.equal(user.email, "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@contoso.com");
    const patched = await scim(t.baseUrl, token, "PATCH", `${base}/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: "Replace", path: "emails[type eq \"work\"].value", value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        { op: "Add", path: "title", value: "ignored: not in the schema" },
        { op: "Replace", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "ignored" },
      ],
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body!.emails, [{ value: "updatedEmail@microsoft.com", type: "work", primary: true }]);
    assert.equal(patched.body!.name.familyName, "updatedFamilyName");
    assert.equal((await db("users").where({ id: Number(id) }).first()).email, user.email, "the account's own address is not the IdP's to change");
    const off = await scim(t.baseUrl, token, "PATCH", `${base}/Users/${id}`, { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    assert.equal(off.body!.active, false);
    assert.equal(await roleOf(org, user), undefined);
    const on = await scim(t.baseUrl, token, "PATCH", `${base}/Users/${id}`, { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: true }] });
    assert.equal(on.body!.active, true);
    assert.equal(await roleOf(org, user), "member");
  });

  it("applies the RFC 7644 §3.5.2 and Okta shapes of PATCH: add, replace without a path, remove", async () => {
    const { token, base } = await setup();
    const { body } = await scim(t.baseUrl, token, "POST", `${base}/Users`, RFC_CREATE);
    const res = await scim(t.baseUrl, token, "PATCH", `${base}/Users/${body!.id}`, {
      schemas: [PATCH],
      Operations: [
        { op: "add", value: { emails: [{ value: "babs@jensen.org", type: "home" }], displayName: "Babs" } },
        { op: "replace", value: { "name.givenName": "Barb" } },
        { op: "remove", path: "externalId" },
      ],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body!.emails.map((e: { value: string }) => e.value), ["bjensen@example.com", "babs@jensen.org"]);
    assert.equal(res.body!.displayName, "Babs");
    assert.equal(res.body!.name.givenName, "Barb");
    assert.equal(res.body!.externalId, undefined);
    const bad = await scim(t.baseUrl, token, "PATCH", `${base}/Users/${body!.id}`, { schemas: [PATCH], Operations: [{ op: "move", path: "active" }] });
    assert.equal(bad.status, 400);
    const noUser = await scim(t.baseUrl, token, "PATCH", `${base}/Users/${body!.id}`, { schemas: [PATCH], Operations: [{ op: "remove", path: "userName" }] });
    assert.equal(noUser.body!.scimType, "invalidValue");
  });

  it("deactivating (Okta's replace of active) ends the membership, team memberships and the org tokens the person made; the account stays", async () => {
    const { owner, org, token, base } = await setup();
    const person = await buildUser();
    await addMember(org, person, "admin");
    await buildTeam(org, "Platform", [{ id: person.id }]);
    await db("access_tokens").insert({ organization_id: org.id, user_id: null, created_by_id: person.id, description: "ci", token_hash: Buffer.from("x".repeat(32)), token_prefix: "gto_", last4: "abcd", created_via: "web" });
    const keep = await buildScimToken(org, owner);
    const theirs = await buildScimToken(org, person);
    const res = await scim(t.baseUrl, token, "PATCH", `${base}/Users/${person.id}`, { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] });
    assert.equal(res.status, 200);
    assert.equal(res.body!.active, false);
    assert.equal(await roleOf(org, person), undefined);
    assert.equal((await db("team_memberships").where({ user_id: person.id })).length, 0);
    assert.notEqual((await db("access_tokens").where({ created_by_id: person.id }).first()).revoked_at, null);
    assert.ok(await db("users").where({ id: person.id }).first());
    assert.equal((await scim(t.baseUrl, theirs, "GET", `${base}/Users`)).status, 401, "the SCIM token they made is revoked too");
    assert.equal((await scim(t.baseUrl, keep, "GET", `${base}/Users/${person.id}`)).body!.active, false);
    const events = await db("organization_events").where({ organization_id: org.id, action: "member.removed" });
    assert.equal(events.length, 1);
    assert.equal(events[0].details.via, "scim");
  });

  it("replaces a User with PUT (Okta's update), active false included", async () => {
    const { org, token, base } = await setup();
    const { body } = await scim(t.baseUrl, token, "POST", `${base}/Users`, OKTA_CREATE);
    const put = await scim(t.baseUrl, token, "PUT", `${base}/Users/${body!.id}`, { ...OKTA_CREATE, id: body!.id, name: { givenName: "Another", familyName: "Name" }, active: false });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body!.name, { givenName: "Another", familyName: "Name" });
    assert.equal(put.body!.active, false);
    assert.equal(await roleOf(org, { id: Number(body!.id) }), undefined);
    const taken = await scim(t.baseUrl, token, "POST", `${base}/Users`, { schemas: [USER], userName: "other@okta.local" });
    const clash = await scim(t.baseUrl, token, "PUT", `${base}/Users/${taken.body!.id}`, { schemas: [USER], userName: OKTA_CREATE.userName });
    assert.equal(clash.status, 409);
    assert.equal(clash.body!.scimType, "uniqueness");
  });

  it("never removes an owner (403), and DELETE makes the User unknown (404) while the account stays", async () => {
    const { owner, org, token, base } = await setup();
    const denied = await scim(t.baseUrl, token, "DELETE", `${base}/Users/${owner.id}`);
    assert.equal(denied.status, 403);
    assert.equal(await roleOf(org, owner), "owner");
    const member = await buildUser();
    await addMember(org, member, "member");
    assert.equal((await scim(t.baseUrl, token, "DELETE", `${base}/Users/${member.id}`)).status, 204);
    assert.equal((await scim(t.baseUrl, token, "GET", `${base}/Users/${member.id}`)).status, 404);
    assert.ok(await db("users").where({ id: member.id }).first());
  });

  it("answers 409 uniqueness for a taken userName, and for an unconfirmed account that holds the address with a password", async () => {
    const { token, base } = await setup();
    assert.equal((await scim(t.baseUrl, token, "POST", `${base}/Users`, RFC_CREATE)).status, 201);
    const again = await scim(t.baseUrl, token, "POST", `${base}/Users`, { ...RFC_CREATE, externalId: "other" });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, { schemas: [ERROR], status: "409", scimType: "uniqueness", detail: again.body!.detail });
    await buildUser({ email: "squat@example.com", confirmed: false });
    const squat = await scim(t.baseUrl, token, "POST", `${base}/Users`, { schemas: [USER], userName: "squat@example.com" });
    assert.equal(squat.status, 409);
    assert.equal(squat.body!.scimType, "uniqueness");
  });

  it("two parallel creates of the same userName: one 201, one 409, one account", async () => {
    const { token, base } = await setup();
    const body = { schemas: [USER], userName: "race@example.com" };
    const results = await Promise.all([scim(t.baseUrl, token, "POST", `${base}/Users`, body), scim(t.baseUrl, token, "POST", `${base}/Users`, body)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    assert.equal((await db("users").where({ email: "race@example.com" })).length, 1);
    assert.equal((await db("scim_users").where({ user_name: "race@example.com" })).length, 1);
  });

  it("refuses bad bodies with 400 in SCIM's error shape", async () => {
    const { token, base } = await setup();
    const missing = await scim(t.baseUrl, token, "POST", `${base}/Users`, { schemas: [USER] });
    assert.equal(missing.status, 400);
    assert.equal(missing.body!.scimType, "invalidValue");
    assert.match(missing.body!.detail, /userName/);
    const broken = await fetch(new URL(`${base}/Users`, t.baseUrl), { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" }, body: "{not json" });
    assert.equal(broken.status, 400);
    assert.equal((await broken.json()).scimType, "invalidSyntax");
    const noEmail = await scim(t.baseUrl, token, "POST", `${base}/Users`, { schemas: [USER], userName: "no-address" });
    assert.equal(noEmail.status, 400);
  });
});
