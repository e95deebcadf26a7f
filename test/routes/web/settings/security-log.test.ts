import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { pruneSecurityLogs } from "../../../../src/services/security-log-retention";
import { useTestApp } from "../../../helpers/app";
import { TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, membershipId } from "../../../helpers/orgs";
import { linkIn } from "../../../helpers/mailbox";
import { apiRequest } from "../../../helpers/tokens";
import { createOrgAccessToken } from "../../../../src/services/org-access-tokens";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

/** The rows of a log table as "what | detail" text, in page order. */
function logRows(html: string): string[] {
  return [...html.matchAll(/<td class="log-table__what"[^>]*>\s*<strong>([^<]*)<\/strong>(?:\s*<br><span class="muted">([^<]*)<\/span>)?/g)]
    .map((m) => (m[2] ? `${m[1]} | ${m[2]}` : m[1]!).replace(/&#34;/g, '"').replace(/&#39;/g, "'"));
}

describe("security log", () => {
  const t = useTestApp();

  it("lists the user's sign-ins, failed attempts and changes, newest first, with browser and IP", async () => {
    const user = await buildUser({ username: "logged" });
    const other = await buildUser({ username: "someone-else" });
    // A wrong password for the account, and one for a login that does not exist.
    const stranger = new TestClient(t.baseUrl, FIREFOX);
    assert.equal((await stranger.submit("/login", { login: "logged", password: "not the password at all" })).status, 422);
    assert.equal((await stranger.submit("/login", { login: "nobody-here", password: "not the password at all" })).status, 422);
    assert.equal((await stranger.submit("/login", { login: "logged@example.test", password: "not the password either" })).status, 422);
    const client = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, FIREFOX) });
    await loginAs(t.baseUrl, other);
    const created = await client.submit("/settings/tokens", { description: "Laptop CLI", expires_in_days: "30" });
    assert.equal(created.status, 302);
    const token = await db("access_tokens").where({ user_id: user.id }).first();
    assert.equal((await client.submit(`/settings/tokens/${token.id}/revoke`, {})).status, 302);

    const page = await client.get("/settings/security/log");
    assert.equal(page.status, 200);
    assert.deepEqual(logRows(page.html), [
      "Access token revoked | “Laptop CLI”",
      "Access token created | “Laptop CLI”",
      "Signed in with your password",
      "Failed sign-in: wrong password",
      "Failed sign-in: wrong password",
    ]);
    assert.match(page.html, /<td data-label="Browser">Firefox 120 on Linux<\/td>/);
    assert.match(page.html, /<code>(::ffff:)?127\.0\.0\.1<\/code>/);
    assert.match(page.html, /aria-current="page">Security log</);
    assert.equal(await db("security_events").where({ user_id: other.id }).whereNot({ action: "sign_in" }).count("* as n").first().then((r) => Number(r!.n)), 0);
    assert.doesNotMatch(page.html, /someone-else/);
  });

  it("pages through a long log, newest first, and keeps odd page numbers in range", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const start = Date.now() - 60 * 60 * 1000;
    await db("security_events").insert(
      Array.from({ length: 30 }, (_, i) => ({ user_id: user.id, action: "profile.updated", details: JSON.stringify({ fields: [`field_${i}`] }), created_at: new Date(start + i * 1000) })),
    );
    const first = await client.get("/settings/security/log");
    const rows = logRows(first.html);
    assert.equal(rows.length, 25);
    assert.equal(rows[0], "Signed in with your password");
    assert.equal(rows[1], "Profile updated | field 29");
    assert.match(first.html, /Page 1 of 2/);
    const second = await client.get("/settings/security/log?page=2");
    assert.equal(logRows(second.html).at(-1), "Profile updated | field 0");
    // A page past the end shows the last one; what is not a page number at all is refused, as on
    // every list (src/http/pager.ts).
    assert.equal((await client.get("/settings/security/log?page=99999")).status, 200);
    for (const odd of ["abc", "-1", "0", "2.5"]) {
      const res = await client.get(`/settings/security/log?page=${odd}`);
      assert.equal(res.status, 422, odd);
    }
    assert.match((await client.get("/settings/security/log?page=9")).html, /Page 2 of 2/);
    assert.equal((await new TestClient(t.baseUrl).get("/settings/security/log")).status, 302);
  });

  it("keeps a year of entries: the hourly prune deletes older ones and expired challenges", async () => {
    const user = await buildUser();
    const org = await buildOrg(user);
    const day = 86_400_000;
    await db("security_events").insert([
      { user_id: user.id, action: "sign_in", created_at: new Date(Date.now() - 366 * day) },
      { user_id: user.id, action: "password.changed", created_at: new Date(Date.now() - 364 * day) },
    ]);
    await db("organization_events").insert([
      { organization_id: org.id, actor_name: "x", action: "member.joined", created_at: new Date(Date.now() - 366 * day) },
      { organization_id: org.id, actor_name: "x", action: "member.left", created_at: new Date(Date.now() - 364 * day) },
    ]);
    await db("used_webauthn_challenges").insert([
      { challenge: "old", expires_at: new Date(Date.now() - 1000) },
      { challenge: "live", expires_at: new Date(Date.now() + 60_000) },
    ]);
    const counts = await pruneSecurityLogs();
    assert.deepEqual(counts, { securityEvents: 1, organizationEvents: 1, challenges: 1 });
    assert.deepEqual(await db("security_events").where({ user_id: user.id }).pluck("action"), ["password.changed"]);
    assert.deepEqual(await db("organization_events").where({ organization_id: org.id }).pluck("action"), ["member.left"]);
    assert.deepEqual(await db("used_webauthn_challenges").pluck("challenge"), ["live"]);
  });

  it("is part of the data export, with passkeys and what the user did in organizations", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    assert.equal((await client.submit("/orgs/new", { name: "Export Org", slug: "export-org" })).status, 302);
    await db("passkeys").insert({
      user_id: user.id, name: "Desk key", credential_id: "cred-1", public_key: Buffer.from([1, 2, 3]), counter: 0, device_type: "singleDevice", user_handle: "handle-secret",
    });
    const res = await client.submit("/settings/account", {}, "/settings/account/export");
    assert.equal(res.status, 200);
    const data = JSON.parse(res.html);
    assert.equal(data.security_events[0].action, "sign_in");
    assert.equal(data.passkeys[0].name, "Desk key");
    assert.equal(data.passkeys[0].public_key, undefined);
    assert.doesNotMatch(res.html, /handle-secret/);
    assert.deepEqual(data.organizations.your_actions.map((e: { action: string }) => e.action), ["organization.created"]);
  });
});

describe("organization audit log", () => {
  const t = useTestApp();

  it("records members, roles, invitations, tokens and settings, for owners and admins only", async () => {
    const owner = await buildUser({ username: "the-owner" });
    const admin = await buildUser({ username: "the-admin" });
    const member = await buildUser({ username: "the-member" });
    const invitee = await buildUser({ username: "the-invitee", email: "invitee@example.test" });
    const outsider = await buildUser();
    const o = await loginAs(t.baseUrl, owner);
    assert.equal((await o.submit("/orgs/new", { name: "Audit Co", slug: "audit-co" })).status, 302);
    const org = await db("organizations").where({ slug: "audit-co" }).first();
    await addMember(org, admin, "admin");
    await addMember(org, member, "member");

    assert.equal((await o.submit("/orgs/audit-co/invitations", { email: "invitee@example.test", role: "member" })).status, 302);
    const mail = await t.mailbox.waitFor("invitee@example.test", (m) => /invited you to join/.test(m.subject));
    const path = new URL(linkIn(mail, "/invitations/")).pathname;
    const i = await loginAs(t.baseUrl, invitee);
    assert.equal((await i.submit(path, {}, `${path}/accept`)).status, 302);
    assert.equal((await o.submit("/orgs/audit-co/members", { role: "admin" }, `/orgs/audit-co/members/${await membershipId(org, invitee)}/role`)).status, 302);
    assert.equal((await o.submit(`/orgs/audit-co/members/${await membershipId(org, member)}/remove`, {})).status, 302);
    assert.equal((await o.submit("/orgs/audit-co/tokens", { description: "Deploys", scope: "organization", expires_in_days: "30" })).status, 302);
    const token = await db("access_tokens").where({ organization_id: org.id }).first();
    assert.equal((await o.submit(`/orgs/audit-co/tokens/${token.id}/revoke`, {})).status, 302);
    assert.equal((await o.submit("/orgs/audit-co/settings", { name: "Audit Company", slug: "audit-co" })).status, 302);

    const page = await o.get("/orgs/audit-co/audit");
    assert.equal(page.status, 200);
    assert.deepEqual(logRows(page.html), [
      "Settings changed | Changed name from “Audit Co” to “Audit Company”",
      "Organization token revoked | “Deploys”",
      "Organization token created | “Deploys”",
      "Member removed | the-member",
      "Role changed | the-invitee: member → admin",
      "Member joined | the-invitee as member",
      "Invitation sent | to invitee@example.test as member",
      "Organization created | Audit Co",
    ]);
    assert.match(page.html, /<td data-label="By">the-owner<\/td>/);
    assert.match(page.html, /<td data-label="By">the-invitee<\/td>/);
    assert.match((await o.get("/orgs/audit-co")).html, /href="\/orgs\/audit-co\/audit"/);

    const a = await loginAs(t.baseUrl, admin);
    assert.equal((await a.get("/orgs/audit-co/audit")).status, 200);
    await addMember(org, member, "member");
    const m = await loginAs(t.baseUrl, member);
    assert.equal((await m.get("/orgs/audit-co/audit")).status, 403);
    assert.doesNotMatch((await m.get("/orgs/audit-co")).html, /\/audit"/);
    const x = await loginAs(t.baseUrl, outsider);
    assert.equal((await x.get("/orgs/audit-co/audit")).status, 404);
    assert.equal((await new TestClient(t.baseUrl).get("/orgs/audit-co/audit")).status, 302);
  });

  it("names an organization token, not a person, when the token acts through the API", async () => {
    const owner = await buildUser({ username: "token-owner" });
    const member = await buildUser({ username: "promoted" });
    const org = await buildOrg(owner, { name: "Bots Inc" });
    const memberId = await addMember(org, member, "member");
    const created = await createOrgAccessToken(org, { role: "owner", user_id: owner.id }, { description: "ci", scope: "organization", expires_in_days: "30" });
    const res = await apiRequest(t.baseUrl, created.token, "PATCH", `/api/v1/orgs/${org.slug}/members/${memberId}`, { role: "admin" });
    assert.equal(res.status, 200);
    const rows = await db("organization_events").where({ organization_id: org.id }).orderBy("id").select("action", "actor_user_id", "actor_name");
    assert.deepEqual(rows, [
      { action: "token.created", actor_user_id: owner.id, actor_name: "token-owner" },
      { action: "member.role_changed", actor_user_id: null, actor_name: "An organization API token" },
    ]);
  });
});
