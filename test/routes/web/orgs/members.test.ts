import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, buildTeam, membershipId, roleOf } from "../../../helpers/orgs";
import { db } from "../../../../src/db/knex";
import { changeMemberRole } from "../../../../src/services/memberships";
import { tokenActor } from "../../../../src/policies/organizations";
import { HttpError } from "../../../../src/lib/errors";
import { saveEmailPreferences } from "../../../../src/services/notification-preferences";
import type { TestClient } from "../../../helpers/client";

/** Posts a form from the members page as is (the token of the page, any fields). */
async function postFromMembers(client: TestClient, slug: string, action: string, fields: Record<string, string>) {
  const page = await client.get(`/orgs/${slug}/members`);
  const token = pageCsrfToken(page.html);
  return client.postRaw(action, { _csrf: token, ...fields });
}

describe("organization members: roles, removal, leaving, the last owner", () => {
  const t = useTestApp();

  it("lets an owner promote a member, and the member is told by mail", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    const id = await addMember(org, member, "member");
    const client = await loginAs(t.baseUrl, owner);
    const res = await client.submit(`/orgs/${org.slug}/members`, { role: "admin" }, `/orgs/${org.slug}/members/${id}/role`);
    assert.equal(res.status, 302);
    assert.equal(await roleOf(org, member), "admin");
    const page = await client.get(res.location!);
    assert.match(page.html, new RegExp(`${member.username} is now an admin`));
    const mail = await t.mailbox.waitFor(member.email, (m) => /Your role in Acme is now admin/.test(m.subject));
    assert.match(mail.text, new RegExp(`${owner.username} changed your role`));
  });

  it("does not mail a member who turned organization mail off", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner);
    const id = await addMember(org, member, "member");
    await saveEmailPreferences(member.id, { organization: false, product: false });
    const client = await loginAs(t.baseUrl, owner);
    await client.submit(`/orgs/${org.slug}/members`, { role: "admin" }, `/orgs/${org.slug}/members/${id}/role`);
    assert.equal(await roleOf(org, member), "admin");
    // Mail is queued in the same transaction as the change, so the queue already tells.
    assert.equal((await db("outbound_mails").where({ to: member.email })).length, 0);
  });

  it("refuses role tampering: a member posting role=owner, an admin promoting to owner or touching an owner", async () => {
    const owner = await buildUser();
    const admin = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner);
    const adminId = await addMember(org, admin, "admin");
    const memberId = await addMember(org, member, "member");
    const ownerId = await membershipId(org, owner);

    const m = await loginAs(t.baseUrl, member);
    for (const id of [memberId, adminId, ownerId]) {
      const res = await postFromMembers(m, org.slug, `/orgs/${org.slug}/members/${id}/role`, { role: "owner" });
      assert.equal(res.status, 403);
    }
    assert.equal(await roleOf(org, member), "member");

    const a = await loginAs(t.baseUrl, admin);
    const members = await a.get(`/orgs/${org.slug}/members`);
    assert.doesNotMatch(members.html, /<option value="owner"/, "admins are not offered the owner role");
    for (const [id, role] of [[memberId, "owner"], [adminId, "owner"], [ownerId, "member"], [ownerId, "admin"]] as const) {
      const res = await postFromMembers(a, org.slug, `/orgs/${org.slug}/members/${id}/role`, { role });
      assert.equal(res.status, 403, `${id} -> ${role}`);
    }
    const removeOwner = await postFromMembers(a, org.slug, `/orgs/${org.slug}/members/${ownerId}/remove`, {});
    assert.equal(removeOwner.status, 403);
    assert.equal(await roleOf(org, owner), "owner");
    assert.equal(await roleOf(org, member), "member");
    // Roles outside the list are refused before any policy runs.
    const bogus = await postFromMembers(a, org.slug, `/orgs/${org.slug}/members/${memberId}/role`, { role: "superuser" });
    assert.equal(bogus.status, 302);
    assert.equal(await roleOf(org, member), "member");
  });

  it("answers 404 for member ids of another organization", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const otherOwner = await buildUser();
    const other = await buildOrg(otherOwner);
    const victim = await buildUser();
    const victimId = await addMember(other, victim, "member");
    const client = await loginAs(t.baseUrl, owner);
    assert.equal((await client.get(`/orgs/${org.slug}/members/${victimId}/remove`)).status, 404);
    const role = await postFromMembers(client, org.slug, `/orgs/${org.slug}/members/${victimId}/role`, { role: "admin" });
    assert.equal(role.status, 404);
    const remove = await postFromMembers(client, org.slug, `/orgs/${org.slug}/members/${victimId}/remove`, {});
    assert.equal(remove.status, 404);
    assert.equal(await roleOf(other, victim), "member");
  });

  it("removes a member after asking, with their team memberships, and tells them", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    const id = await addMember(org, member, "member");
    await buildTeam(org, "Platform", [member]);
    const client = await loginAs(t.baseUrl, owner);
    const ask = await client.get(`/orgs/${org.slug}/members/${id}/remove`);
    assert.match(ask.html, /button--danger">Remove /);
    const res = await client.submit(`/orgs/${org.slug}/members/${id}/remove`, {});
    assert.equal(res.status, 302);
    assert.match((await client.get(res.location!)).html, new RegExp(`Removed ${member.username} from Acme\\.`));
    assert.equal(await roleOf(org, member), undefined);
    assert.equal((await db("team_memberships").where({ user_id: member.id })).length, 0);
    await t.mailbox.waitFor(member.email, (m) => /You were removed from Acme/.test(m.subject));
  });

  it("refuses to let the last owner leave, be demoted or be removed; after a transfer the old owner can leave", async () => {
    const owner = await buildUser();
    const next = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    const nextId = await addMember(org, next, "admin");
    const client = await loginAs(t.baseUrl, owner);

    // The page says why before anything is posted: no confirmation that would then fail.
    const ask = await client.get(`/orgs/${org.slug}/leave`);
    assert.equal(ask.status, 409);
    assert.match(ask.html, /You cannot leave Acme yet/);
    assert.match(ask.html, /You are the last owner of Acme/);
    assert.doesNotMatch(ask.html, /action="\/orgs\/[^"]+\/leave"/);
    const fromSettings = await client.get(`/orgs/${org.slug}/leave?from=settings`);
    assert.match(fromSettings.html, /href="\/settings\/organizations">Back</);
    // A form posted anyway (an old tab) is still refused, with the message.
    const leave = await postFromMembers(client, org.slug, `/orgs/${org.slug}/leave`, {});
    assert.equal(leave.status, 302);
    const after = await client.get(leave.location!);
    assert.match(after.html, /You are the last owner of Acme/);
    assert.equal(await roleOf(org, owner), "owner");
    // Nobody is offered demoting or removing themselves: the own row has no role form or Remove link.
    const members = await client.get(`/orgs/${org.slug}/members`);
    const ownId = await membershipId(org, owner);
    assert.doesNotMatch(members.html, new RegExp(`/members/${ownId}/(role|remove)`));

    // An organization token does not get as far as the last-owner rule: it never touches owners.
    await assert.rejects(
      changeMemberRole(t.ctx, org, tokenActor("organization"), await membershipId(org, owner), "admin"),
      (err) => err instanceof HttpError && err.status === 403 && err.code === "owners_in_person",
    );

    const promote = await client.submit(`/orgs/${org.slug}/members`, { role: "owner" }, `/orgs/${org.slug}/members/${nextId}/role`);
    assert.equal(promote.status, 302);
    const left = await client.submit(`/orgs/${org.slug}/leave`, {});
    assert.equal(left.location, "/settings/organizations");
    assert.equal(await roleOf(org, owner), undefined);
    assert.equal(await roleOf(org, next), "owner");
    assert.equal((await client.get(`/orgs/${org.slug}`)).status, 404);
  });

  it("lets a member leave from the settings page, asking first", async () => {
    const owner = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    await addMember(org, member, "member");
    const client = await loginAs(t.baseUrl, member);
    const ask = await client.get(`/orgs/${org.slug}/leave?from=settings`);
    assert.match(ask.html, /Leave Acme\?/);
    const token = csrfTokenFor(ask.html, `/orgs/${org.slug}/leave`);
    const res = await client.postRaw(`/orgs/${org.slug}/leave`, { _csrf: token, from: "settings" });
    assert.equal(res.location, "/settings/organizations");
    assert.match((await client.get("/settings/organizations")).html, /You left Acme/);
    assert.equal(await roleOf(org, member), undefined);
  });

  it("keeps one owner when two owners demote each other at the same moment", async () => {
    for (let round = 0; round < 3; round++) {
      const a = await buildUser();
      const b = await buildUser();
      const org = await buildOrg(a);
      await addMember(org, b, "owner");
      const aId = await membershipId(org, a);
      const bId = await membershipId(org, b);
      const results = await Promise.allSettled([
        changeMemberRole(t.ctx, org, { kind: "user", role: "owner", user_id: a.id, username: a.username }, bId, "member"),
        changeMemberRole(t.ctx, org, { kind: "user", role: "owner", user_id: b.id, username: b.username }, aId, "member"),
      ]);
      const failed = results.filter((r) => r.status === "rejected");
      assert.equal(failed.length, 1, `round ${round}: exactly one demotion fails`);
      assert.ok((failed[0] as PromiseRejectedResult).reason instanceof HttpError);
      const owners = await db("memberships").where({ organization_id: org.id, role: "owner" });
      assert.equal(owners.length, 1);
    }
  });

  it("refuses in the database itself a pair of transactions that would leave no owner", async () => {
    const a = await buildUser();
    const b = await buildUser();
    const org = await buildOrg(a);
    await addMember(org, b, "owner");
    // Two writers that skip the service's lock: each demotes one owner; both UPDATEs succeed, and
    // the deferred trigger decides at commit.
    const t1 = await db.transaction();
    const t2 = await db.transaction();
    await t1("memberships").where({ organization_id: org.id, user_id: a.id }).update({ role: "member" });
    await t2("memberships").where({ organization_id: org.id, user_id: b.id }).update({ role: "member" });
    await t1.commit();
    // Knex reports a failed COMMIT through the transaction's execution promise.
    await t2.commit().catch(() => undefined);
    await assert.rejects(t2.executionPromise, (err: { constraint?: string }) => err.constraint === "organizations_keep_an_owner");
    const owners = await db("memberships").where({ organization_id: org.id, role: "owner" });
    assert.deepEqual(owners.map((o: { user_id: number }) => o.user_id), [b.id]);
  });

  it("refuses in the database to delete a user who is an organization's last owner", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    await assert.rejects(db("users").where({ id: owner.id }).delete(), (err: { constraint?: string }) => err.constraint === "organizations_keep_an_owner");
    const other = await buildUser();
    await addMember(org, other, "owner");
    await db("users").where({ id: owner.id }).delete();
    assert.equal(await roleOf(org, other), "owner");
  });

  it("refuses to delete the account of an organization's last owner, with the reason on the page", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    const client = await loginAs(t.baseUrl, owner);
    const fields = { username_confirmation: owner.username, password: owner.password };
    const refused = await client.submit("/settings/account", fields, "/settings/account/delete");
    assert.equal(refused.status, 422);
    assert.match(refused.html, /You are the last owner of Acme/);
    assert.equal(await roleOf(org, owner), "owner");
    const heir = await buildUser();
    await addMember(org, heir, "owner");
    const done = await client.submit("/settings/account", fields, "/settings/account/delete");
    assert.equal(done.status, 302);
    assert.equal(await roleOf(org, owner), undefined);
    assert.equal(await roleOf(org, heir), "owner");
  });

  it("searches members by username and name a page at a time, the search kept across pages", async () => {
    const owner = await buildUser({ username: "boss" });
    const org = await buildOrg(owner);
    for (let i = 0; i < 53; i++) await addMember(org, await buildUser({ username: `dev${String(i).padStart(2, "0")}`, password: null }), "member");
    await addMember(org, await buildUser({ username: "quiet", displayName: "Devon Smith", password: null }), "member");
    await addMember(org, await buildUser({ username: "other", password: null }), "member");
    const client = await loginAs(t.baseUrl, owner);
    const first = await client.get(`/orgs/${org.slug}/members?q=dev`);
    assert.equal(first.status, 200);
    assert.match(first.html, /54 members matching “dev”/);
    assert.match(first.html, /<input id="member-search-q" name="q" type="search" value="dev"/);
    assert.doesNotMatch(first.html, /<span><strong>other<\/strong>/);
    assert.doesNotMatch(first.html, /<span><strong>boss<\/strong>/);
    assert.match(first.html, /href="\/orgs\/[^"]+\/members\?q=dev&amp;page=2">Next/);
    const second = await client.get(`/orgs/${org.slug}/members?q=dev&page=2`);
    assert.equal((second.html.match(/<li>/g) ?? []).length, 4);
    assert.match(second.html, /<span><strong>quiet<\/strong> <span class="muted">Devon Smith<\/span>/, "display names are searched");
    // LIKE's wildcards are matched as typed.
    assert.match((await client.get(`/orgs/${org.slug}/members?q=%25`)).html, /0 members matching “%”/);
    assert.equal((await client.get(`/orgs/${org.slug}/members?page=0`)).status, 422);
  });

  it("shows emails and joined dates to owners and admins only, and never searches emails for members", async () => {
    const owner = await buildUser({ email: "boss@secret.test" });
    const admin = await buildUser();
    const member = await buildUser();
    const org = await buildOrg(owner);
    await addMember(org, admin, "admin");
    await addMember(org, member, "member");
    for (const [who, sees] of [[owner, true], [admin, true], [member, false]] as const) {
      const client = await loginAs(t.baseUrl, who);
      const page = await client.get(`/orgs/${org.slug}/members`);
      assert.equal(page.html.includes("boss@secret.test"), sees, `${who.username} sees emails: ${sees}`);
      assert.equal(/joined <time/.test(page.html), sees, `${who.username} sees joined dates: ${sees}`);
      assert.match(page.html, sees ? /Search by username, name or email/ : /Search by username or name</);
      const byEmail = await client.get(`/orgs/${org.slug}/members?q=secret.test`);
      assert.match(byEmail.html, sees ? /1 member matching/ : /0 members matching/);
    }
  });
});
