import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { buildUser } from "../../helpers/factories";
import { addMember, buildOrg, buildTeam, membershipId, roleOf } from "../../helpers/orgs";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";
import { createOrgAccessToken } from "../../../src/services/org-access-tokens";
import type { OrganizationRow } from "../../../src/db/organizations";
import { db } from "../../../src/db/knex";

async function orgToken(org: OrganizationRow, scope = "organization") {
  return (await createOrgAccessToken(org, null, { description: "ci", scope, expires_in_days: "30" })).token;
}

describe("organization API", () => {
  const t = useTestApp();
  const call = (token: string, method: string, path: string, body?: unknown) => apiRequest(t.baseUrl, token, method, path, body);

  it("lists the caller's organizations and shows one with the caller's role; outsiders get 404", async () => {
    const user = await buildUser();
    const other = await buildUser();
    const mine = await buildOrg(user, { slug: "mine", name: "Mine" });
    await buildOrg(other, { slug: "hidden" });
    const { token } = await buildAccessToken(t.ctx, user);
    const list = await call(token, "GET", "/api/v1/orgs");
    assert.equal(list.status, 200);
    const body = await list.json();
    assert.deepEqual(body.data.map((o: { slug: string; role: string }) => [o.slug, o.role]), [["mine", "owner"]]);
    assert.equal(body.meta.total, 1);
    assert.match(list.headers.get("link") ?? "", /rel="first"/);
    const show = await call(token, "GET", "/api/v1/orgs/MINE");
    assert.deepEqual((await show.json()).data.name, mine.name);
    for (const path of ["/api/v1/orgs/hidden", "/api/v1/orgs/hidden/members", "/api/v1/orgs/nope"]) {
      const res = await call(token, "GET", path);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error.code, "not_found");
    }
    assert.equal((await apiRequest(t.baseUrl, undefined, "GET", "/api/v1/orgs")).status, 401);
  });

  it("lists members with pagination and changes roles under the web's rules", async () => {
    const owner = await buildUser();
    const admin = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner);
    await addMember(org, admin, "admin");
    const memberId = await addMember(org, member, "member");
    const ownerId = await membershipId(org, owner);
    const { token: adminToken } = await buildAccessToken(t.ctx, admin);
    const page = await call(adminToken, "GET", `/api/v1/orgs/${org.slug}/members?per_page=2`);
    const body = await page.json();
    assert.equal(body.data.length, 2);
    assert.equal(body.data[0].role, "owner");
    assert.equal(body.data[0].user.email, undefined, "emails are not listed");
    assert.deepEqual(body.meta, { page: 1, per_page: 2, total: 3, total_pages: 2 });
    assert.match(page.headers.get("link")!, /page=2&per_page=2>; rel="next"/);

    const promote = await call(adminToken, "PATCH", `/api/v1/orgs/${org.slug}/members/${memberId}`, { role: "admin" });
    assert.equal(promote.status, 200);
    assert.equal((await promote.json()).data.role, "admin");
    const toOwner = await call(adminToken, "PATCH", `/api/v1/orgs/${org.slug}/members/${memberId}`, { role: "owner" });
    assert.equal(toOwner.status, 403);
    assert.equal((await toOwner.json()).error.code, "forbidden");
    assert.equal((await call(adminToken, "DELETE", `/api/v1/orgs/${org.slug}/members/${ownerId}`)).status, 403);
    const bad = await call(adminToken, "PATCH", `/api/v1/orgs/${org.slug}/members/${memberId}`, { role: "root", extra: 1 });
    assert.equal(bad.status, 422);
    const badBody = await bad.json();
    assert.equal(badBody.error.code, "invalid");
    assert.ok(badBody.error.fields.role && badBody.error.fields.extra);

    const { token: ownerToken } = await buildAccessToken(t.ctx, owner);
    const lastOwner = await call(ownerToken, "PATCH", `/api/v1/orgs/${org.slug}/members/${ownerId}`, { role: "member" });
    assert.equal(lastOwner.status, 403, "nobody changes their own role");
    assert.equal((await call(ownerToken, "DELETE", `/api/v1/orgs/${org.slug}/members/${memberId}`)).status, 204);
    assert.equal(await roleOf(org, member), undefined);
  });

  it("answers 404 for member and invitation ids of another organization", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const other = await buildOrg(await buildUser());
    const victimId = await addMember(other, await buildUser(), "member");
    await db("invitations").insert({ organization_id: other.id, email: "x@example.test", role: "member", token_hash: Buffer.alloc(32, 1), expires_at: new Date(Date.now() + 86_400_000) });
    const invitationId = (await db("invitations").first()).id;
    const { token } = await buildAccessToken(t.ctx, owner);
    assert.equal((await call(token, "PATCH", `/api/v1/orgs/${org.slug}/members/${victimId}`, { role: "admin" })).status, 404);
    assert.equal((await call(token, "DELETE", `/api/v1/orgs/${org.slug}/members/${victimId}`)).status, 404);
    assert.equal((await call(token, "DELETE", `/api/v1/orgs/${org.slug}/invitations/${invitationId}`)).status, 404);
    assert.equal((await db("invitations").first()).status, "pending");
  });

  it("searches members by username and name, and by email only for those who manage members", async () => {
    const owner = await buildUser({ username: "searcher" });
    const org = await buildOrg(owner);
    const ada = await buildUser({ username: "ada-lovelace", email: "countess@engines.test", displayName: "Augusta Ada" });
    const adams = await buildUser({ username: "adams", displayName: "John Adams" });
    const plain = await buildUser({ username: "plain-member" });
    for (const u of [ada, adams, plain]) await addMember(org, u, "member");
    const { token: ownerToken } = await buildAccessToken(t.ctx, owner);
    const { token: memberToken } = await buildAccessToken(t.ctx, plain);
    const names = async (token: string, query: string) => {
      const res = await call(token, "GET", `/api/v1/orgs/${org.slug}/members?${query}`);
      assert.equal(res.status, 200, query);
      const body = await res.json();
      return { names: body.data.map((m: { user: { username: string } }) => m.user.username), total: body.meta.total, link: res.headers.get("link")! };
    };
    assert.deepEqual((await names(ownerToken, "q=ADA")).names, ["ada-lovelace", "adams"], "username or name, any case");
    assert.deepEqual((await names(ownerToken, "q=augusta")).names, ["ada-lovelace"]);
    assert.deepEqual((await names(ownerToken, "q=countess%40engines")).names, ["ada-lovelace"], "an owner finds a member by address");
    assert.deepEqual((await names(memberToken, "q=countess%40engines")).names, [], "a plain member is never told whose address it is");
    assert.deepEqual((await names(await orgToken(org), "q=countess")).names, ["ada-lovelace"], "an organization token manages members");
    assert.deepEqual((await names(ownerToken, "q=%25")).names, [], "LIKE wildcards are plain text");

    const paged = await names(ownerToken, "q=ada&per_page=1");
    assert.equal(paged.total, 2);
    const next = /<([^>]+)>; rel="next"/.exec(paged.link)![1]!;
    assert.match(next, /[?&]q=ada(&|$)/, "the Link header keeps the search");
    assert.deepEqual((await names(ownerToken, new URL(next).search.slice(1))).names, ["adams"]);

    const long = await call(ownerToken, "GET", `/api/v1/orgs/${org.slug}/members?q=${"x".repeat(101)}`);
    assert.equal(long.status, 422);
    assert.deepEqual((await long.json()).error.fields, { q: "Use at most 100 characters." });
  });

  it("creates, lists and revokes invitations; members get 403", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    await addMember(org, member, "member");
    const { token } = await buildAccessToken(t.ctx, owner);
    const created = await call(token, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "new@example.test", role: "admin" });
    assert.equal(created.status, 201);
    const inv = (await created.json()).data;
    assert.equal(inv.email, "new@example.test");
    assert.equal(inv.token, undefined);
    await t.mailbox.waitFor("new@example.test", (m) => /invited you to join Acme/.test(m.subject));
    const invalid = await call(token, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "nope", role: "member" });
    assert.equal(invalid.status, 422);
    assert.ok((await invalid.json()).error.fields.email);
    const list = await call(token, "GET", `/api/v1/orgs/${org.slug}/invitations`);
    assert.deepEqual((await list.json()).data.map((i: { id: number }) => i.id), [inv.id]);
    const { token: memberToken } = await buildAccessToken(t.ctx, member);
    assert.equal((await call(memberToken, "GET", `/api/v1/orgs/${org.slug}/invitations`)).status, 403);
    assert.equal((await call(memberToken, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "a@example.test", role: "member" })).status, 403);
    assert.equal((await call(token, "DELETE", `/api/v1/orgs/${org.slug}/invitations/${inv.id}`)).status, 204);
    assert.equal((await db("invitations").where({ id: inv.id }).first()).status, "revoked");
  });

  it("lets an organization token act as its organization, never as a user, and only on its organization", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    const memberId = await addMember(org, member, "member");
    const other = await buildOrg(await buildUser());
    const token = await orgToken(org);
    assert.match(token, /^gto_/);
    const list = await (await call(token, "GET", "/api/v1/orgs")).json();
    assert.deepEqual(list.data.map((o: { slug: string; role: null }) => [o.slug, o.role]), [[org.slug, null]]);
    assert.equal((await call(token, "GET", `/api/v1/orgs/${other.slug}`)).status, 404);
    assert.equal((await call(token, "GET", "/api/v1/user")).status, 403, "not a user");
    assert.equal((await call(token, "GET", "/api/v1/user/tokens")).status, 403);
    const promote = await call(token, "PATCH", `/api/v1/orgs/${org.slug}/members/${memberId}`, { role: "admin" });
    assert.equal(promote.status, 200);
    const invite = await call(token, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "bot-invite@example.test", role: "member" });
    assert.equal(invite.status, 201);
    assert.equal((await db("invitations").first()).inviter_id, null);
  });

  it("never lets an organization token make, demote, remove or invite an owner: that is for people", async () => {
    // The holder of a leaked token tries to take the organization over.
    const owner = await buildUser();
    const accomplice = await buildUser();
    const org = await buildOrg(owner);
    const accompliceId = await addMember(org, accomplice, "member");
    const ownerId = await membershipId(org, owner);
    const token = await orgToken(org);
    const attempts: [string, string, unknown][] = [
      ["PATCH", `/members/${accompliceId}`, { role: "owner" }],
      ["PATCH", `/members/${ownerId}`, { role: "admin" }],
      ["PATCH", `/members/${ownerId}`, { role: "member" }],
      ["DELETE", `/members/${ownerId}`, undefined],
      ["POST", "/invitations", { email: "attacker@example.test", role: "owner" }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(token, method, `/api/v1/orgs/${org.slug}${path}`, body);
      assert.equal(res.status, 403, `${method} ${path} ${JSON.stringify(body)}`);
      assert.equal((await res.json()).error.code, "owners_in_person");
    }
    assert.equal(await roleOf(org, owner), "owner");
    assert.equal(await roleOf(org, accomplice), "member");
    assert.equal((await db("invitations").where({ organization_id: org.id })).length, 0);
    assert.equal(t.mailbox.messages.length, 0, "nobody was mailed");
    // A person who is an owner still can, with a personal token.
    const { token: personal } = await buildAccessToken(t.ctx, owner);
    assert.equal((await call(personal, "PATCH", `/api/v1/orgs/${org.slug}/members/${accompliceId}`, { role: "owner" })).status, 200);
    assert.equal((await call(personal, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "co-owner@example.test", role: "owner" })).status, 201);
    // Once the accomplice is an owner the token still cannot remove them.
    assert.equal((await call(token, "DELETE", `/api/v1/orgs/${org.slug}/members/${accompliceId}`)).status, 403);
  });

  it("lets a team token read its organization but change nothing; revoked tokens get 401", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner);
    const memberId = await addMember(org, member, "member");
    const team = await buildTeam(org, "CI");
    const token = await orgToken(org, String(team.id));
    assert.match(token, /^gtt_/);
    assert.equal((await call(token, "GET", `/api/v1/orgs/${org.slug}/members`)).status, 200);
    assert.equal((await call(token, "PATCH", `/api/v1/orgs/${org.slug}/members/${memberId}`, { role: "admin" })).status, 403);
    assert.equal((await call(token, "DELETE", `/api/v1/orgs/${org.slug}/members/${memberId}`)).status, 403);
    assert.equal((await call(token, "GET", `/api/v1/orgs/${org.slug}/invitations`)).status, 403);
    await db("teams").where({ id: team.id }).delete();
    assert.equal((await call(token, "GET", `/api/v1/orgs/${org.slug}`)).status, 401, "the team's tokens went with it");
    const orgWide = await orgToken(org);
    await db("access_tokens").where({ organization_id: org.id }).update({ revoked_at: new Date() });
    assert.equal((await call(orgWide, "GET", `/api/v1/orgs/${org.slug}`)).status, 401);
  });

  it("keeps every token kind in exactly its scope in the database", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const base = { description: "x", token_hash: Buffer.alloc(32, 7), last4: "abcd", created_via: "web" };
    await assert.rejects(db("access_tokens").insert({ ...base, token_prefix: "gto_", user_id: owner.id, organization_id: org.id }), /access_tokens_scope/);
    await assert.rejects(db("access_tokens").insert({ ...base, token_prefix: "gth_", user_id: owner.id, organization_id: org.id }), /access_tokens_scope/);
    await assert.rejects(db("access_tokens").insert({ ...base, token_prefix: "gtt_", organization_id: org.id }), /access_tokens_scope/);
  });

  it("answers 403 to a member on every endpoint that needs a role, 404 to outsiders on all, and 422 with fields to bad bodies", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const outsider = await buildUser();
    const org = await buildOrg(owner);
    const memberId = await addMember(org, member, "member");
    const ownerId = await membershipId(org, owner);
    const { token: ownerToken } = await buildAccessToken(t.ctx, owner);
    const { token: memberToken } = await buildAccessToken(t.ctx, member);
    const { token: outsiderToken } = await buildAccessToken(t.ctx, outsider);
    const invited = await (await call(ownerToken, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "pending@example.test", role: "member" })).json();
    const base = `/api/v1/orgs/${org.slug}`;
    const endpoints: [method: string, path: string, body: unknown, member: number][] = [
      ["GET", base, undefined, 200],
      ["GET", `${base}/members`, undefined, 200],
      ["PATCH", `${base}/members/${ownerId}`, { role: "member" }, 403],
      ["DELETE", `${base}/members/${ownerId}`, undefined, 403],
      ["GET", `${base}/invitations`, undefined, 403],
      ["POST", `${base}/invitations`, { email: "friend@example.test", role: "member" }, 403],
      ["DELETE", `${base}/invitations/${invited.data.id}`, undefined, 403],
    ];
    for (const [method, path, body, expected] of endpoints) {
      const res = await call(memberToken, method, path, body);
      assert.equal(res.status, expected, `member: ${method} ${path}`);
      if (expected === 403) assert.deepEqual(await res.json(), { error: { code: "forbidden", message: "Your role in this organization does not allow that." } });
      const outside = await call(outsiderToken, method, path, body);
      assert.equal(outside.status, 404, `outsider: ${method} ${path}`);
      assert.deepEqual(await outside.json(), { error: { code: "not_found", message: "Organization not found" } });
    }
    assert.equal(await roleOf(org, owner), "owner");
    assert.equal((await db("invitations").where({ organization_id: org.id, status: "pending" })).length, 1);

    const invalid: [method: string, path: string, body: unknown, fields: string[]][] = [
      ["PATCH", `${base}/members/${memberId}`, { role: "boss" }, ["role"]],
      ["PATCH", `${base}/members/${memberId}`, {}, ["role"]],
      ["POST", `${base}/invitations`, { email: "nope", role: "member", teams: ["x"], admin: true }, ["email", "teams", "admin"]],
      ["POST", `${base}/invitations`, { email: "a@example.test", role: "member", teams: [999999] }, ["teams"]],
    ];
    for (const [method, path, body, fields] of invalid) {
      const res = await call(ownerToken, method, path, body);
      assert.equal(res.status, 422, `${method} ${path} ${JSON.stringify(body)}`);
      const json = await res.json();
      assert.equal(json.error.code, "invalid");
      assert.deepEqual(Object.keys(json.error.fields).sort(), fields.sort(), JSON.stringify(json));
    }
    assert.equal(await roleOf(org, member), "member");
    assert.equal((await db("invitations").where({ organization_id: org.id })).length, 1, "nothing was written");
  });

  it("refuses to invite the caller or an existing member with a 422 naming the email field", async () => {
    const owner = await buildUser({ email: "owner-api@example.test" });
    const member = await buildUser({ email: "member-api@example.test" });
    const org = await buildOrg(owner);
    await addMember(org, member, "member");
    const { token } = await buildAccessToken(t.ctx, owner);
    const self = await call(token, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "Owner-API@example.test", role: "member" });
    assert.equal(self.status, 422);
    const selfBody = await self.json();
    assert.equal(selfBody.error.code, "invalid");
    assert.match(selfBody.error.fields.email, /your own address/);
    const existing = await call(await orgToken(org), "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "member-api@example.test", role: "member" });
    assert.equal(existing.status, 422);
    assert.match((await existing.json()).error.fields.email, /already a member/);
    assert.equal((await db("invitations")).length, 0);
  });

  it("keeps one pending invitation per address when the API is called in parallel", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const { token } = await buildAccessToken(t.ctx, owner);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(token, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: "parallel@example.test", role: "member" })),
    );
    assert.deepEqual(answers.map((r) => r.status).sort(), [201, 422, 422, 422, 422]);
    assert.equal((await db("invitations").where({ status: "pending" })).length, 1);
  });
});
