import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import type { JoinPolicy } from "../../../../src/db/organizations";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor, type TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, roleOf } from "../../../helpers/orgs";

describe("joining an organization by a verified email domain", () => {
  const t = useTestApp();

  /** An organization holding `domain` verified (as an admin approval leaves it), with the policy. */
  async function orgAt(domain: string, policy: JoinPolicy, slug = "acme") {
    const owner = await buildUser({ username: `${slug}-owner` });
    const org = await buildOrg(owner, { slug, name: slug === "acme" ? "Acme" : slug });
    await db("organization_domains").insert({ organization_id: org.id, domain, verification_token: "t", verified_at: new Date(), verified_by: "admin" });
    await db("organizations").where({ id: org.id }).update({ join_policy: policy });
    return { owner, org };
  }

  /** Posts the welcome page's join form for `slug`, the same request `times` times at once. */
  async function askToJoin(client: TestClient, slug: string, times = 1) {
    const page = await client.get("/welcome/organization");
    const csrf = csrfTokenFor(page.html, `/orgs/${slug}/join-requests`);
    return Promise.all(Array.from({ length: times }, () => client.postRaw(`/orgs/${slug}/join-requests`, { _csrf: csrf })));
  }

  it("asks to join, once however often it is sent; owners are mailed, approve, and the person becomes a member", async () => {
    const { owner, org } = await orgAt("acme.test", "request");
    const admin = await buildUser();
    await addMember(org, admin, "admin");
    const alice = await buildUser({ username: "alice", email: "alice@Acme.test" });
    const client = await loginAs(t.baseUrl, alice);
    const welcome = await client.get("/welcome/organization");
    assert.match(welcome.html, /Organizations at acme\.test/);
    assert.match(welcome.html, />Ask to join</);
    const answers = await askToJoin(client, "acme", 3);
    for (const res of answers) assert.equal(res.location, "/welcome/organization");
    const requests = await db("join_requests").where({ organization_id: org.id });
    assert.equal(requests.length, 1);
    assert.equal(requests[0].status, "pending");
    assert.match((await client.get("/welcome/organization")).html, /Request pending/);
    assert.equal(await roleOf(org, alice), undefined);
    const mail = await t.mailbox.waitFor(owner.email, (m) => m.subject === "alice asks to join Acme");
    assert.match(mail.text, /\/orgs\/acme\/join-requests/);
    await t.mailbox.waitFor(admin.email, (m) => m.subject === "alice asks to join Acme");
    assert.equal(t.mailbox.to(owner.email).filter((m) => m.subject === "alice asks to join Acme").length, 1);

    const ownerClient = await loginAs(t.baseUrl, owner);
    const members = await ownerClient.get("/orgs/acme/members");
    assert.match(members.html, /href="\/orgs\/acme\/join-requests"/);
    const list = await ownerClient.get("/orgs/acme/join-requests");
    assert.match(list.html, /alice@Acme\.test/);
    const approve = `/orgs/acme/join-requests/${requests[0].id}/approve`;
    const csrf = csrfTokenFor(list.html, approve);
    const [first, second] = await Promise.all([ownerClient.postRaw(approve, { _csrf: csrf }), ownerClient.postRaw(approve, { _csrf: csrf })]);
    assert.deepEqual([first.status, second.status].sort(), [302, 404], "a request is decided once");
    assert.equal(await roleOf(org, alice), "member");
    assert.equal((await db("join_requests").where({ id: requests[0].id }).first()).status, "approved");
    const decided = await t.mailbox.waitFor(alice.email, (m) => m.subject === "You joined Acme");
    assert.match(decided.text, /\/orgs\/acme/);
    assert.doesNotMatch((await client.get("/welcome/organization")).html, /Organizations at acme\.test/, "members are not offered it again");
    assert.match((await ownerClient.get("/orgs/acme/audit")).html, /Member joined[\s\S]*Join request approved[\s\S]*Asked to join/);
  });

  it("denies a request: no membership, and the person is told", async () => {
    const { owner, org } = await orgAt("acme.test", "request");
    const alice = await buildUser({ username: "alice", email: "alice@acme.test" });
    await askToJoin(await loginAs(t.baseUrl, alice), "acme");
    const request = await db("join_requests").where({ organization_id: org.id }).first();
    const ownerClient = await loginAs(t.baseUrl, owner);
    const res = await ownerClient.submit("/orgs/acme/join-requests", {}, `/orgs/acme/join-requests/${request.id}/deny`);
    assert.equal(res.status, 302);
    assert.equal(await roleOf(org, alice), undefined);
    assert.equal((await db("join_requests").where({ id: request.id }).first()).status, "denied");
    await t.mailbox.waitFor(alice.email, (m) => m.subject === "Your request to join Acme was declined");
  });

  it("joins directly as a member when the policy says so, once however often it is sent", async () => {
    const { owner, org } = await orgAt("acme.test", "direct");
    const bob = await buildUser({ username: "bob", email: "bob@acme.test" });
    const client = await loginAs(t.baseUrl, bob);
    assert.match((await client.get("/welcome/organization")).html, />Join</);
    const answers = await askToJoin(client, "acme", 3);
    for (const res of answers) assert.equal(res.location, "/orgs/acme");
    assert.equal((await db("memberships").where({ organization_id: org.id, user_id: bob.id })).length, 1);
    assert.equal(await roleOf(org, bob), "member");
    assert.equal((await db("join_requests")).length, 0);
    assert.equal((await db("organization_events").where({ organization_id: org.id, action: "member.joined" })).length, 1);
    const mail = await t.mailbox.waitFor(owner.email, (m) => m.subject === "bob joined Acme");
    assert.match(mail.text, /with a confirmed address at acme\.test/);
  });

  it("refuses an address at another domain, an unconfirmed address, a policy that is off and an unverified claim, with the same 404", async () => {
    await orgAt("acme.test", "direct");
    const { org: rival } = await orgAt("rival.test", "direct", "rival");
    await db("organization_domains").insert({ organization_id: rival.id, domain: "pending.test", verification_token: "p" });
    const { org: closed } = await orgAt("closed.test", "off", "closed");
    const cases: [email: string, confirmed: boolean, slug: string][] = [
      ["carol@other.test", true, "acme"],
      ["dave@acme.test", false, "acme"],
      ["erin@acme.test", true, "rival"],
      ["frank@pending.test", true, "rival"],
      ["gina@closed.test", true, "closed"],
      ["hana@acme.test", true, "no-such-org"],
      ["ivan@sub.acme.test", true, "acme"],
    ];
    for (const [email, confirmed, slug] of cases) {
      const user = await buildUser({ email, confirmed });
      const client = await loginAs(t.baseUrl, user);
      const csrf = (await client.get("/")).html.match(/name="_csrf" value="([^"]+)"/)![1]!;
      const res = await client.postRaw(`/orgs/${slug}/join-requests`, { _csrf: csrf });
      assert.equal(res.status, confirmed ? 404 : 403, `${email} → ${slug}: ${res.status}`);
      if (confirmed) assert.doesNotMatch((await client.get("/welcome/organization")).html, new RegExp(`action="/orgs/${slug}/join-requests"`), `${email} is not offered ${slug}`);
      assert.equal((await db("memberships").where({ user_id: user.id })).length, 0);
    }
    assert.equal((await db("join_requests")).length, 0);
    assert.equal((await db("memberships").where({ organization_id: closed.id })).length, 1);
  });

  it("is reviewed by owners and admins: members get 403 on the list and the buttons, outsiders 404", async () => {
    const { org } = await orgAt("acme.test", "request");
    const alice = await buildUser({ email: "alice@acme.test" });
    await askToJoin(await loginAs(t.baseUrl, alice), "acme");
    const request = await db("join_requests").first();
    const member = await buildUser();
    await addMember(org, member, "member");
    const memberClient = await loginAs(t.baseUrl, member);
    assert.equal((await memberClient.get("/orgs/acme/join-requests")).status, 403);
    const csrf = (await memberClient.get("/")).html.match(/name="_csrf" value="([^"]+)"/)![1]!;
    assert.equal((await memberClient.postRaw(`/orgs/acme/join-requests/${request.id}/approve`, { _csrf: csrf })).status, 403);
    const other = await orgAt("other.test", "request", "other");
    const otherClient = await loginAs(t.baseUrl, other.owner);
    const otherCsrf = (await otherClient.get("/")).html.match(/name="_csrf" value="([^"]+)"/)![1]!;
    assert.equal((await otherClient.get("/orgs/acme/join-requests")).status, 404);
    assert.equal((await otherClient.postRaw(`/orgs/other/join-requests/${request.id}/approve`, { _csrf: otherCsrf })).status, 404, "another organization's request id");
    assert.equal(await roleOf(org, alice), undefined);
    assert.equal((await db("join_requests").where({ id: request.id }).first()).status, "pending");
  });

  it("lists the invitations to one's address on the welcome page, each opening at its own page", async () => {
    const { owner, org } = await orgAt("acme.test", "off");
    const alice = await buildUser({ username: "alice", email: "alice@elsewhere.test" });
    const ownerClient = await loginAs(t.baseUrl, owner);
    await ownerClient.submit("/orgs/acme/invitations", { email: "Alice@elsewhere.test", role: "admin" });
    await ownerClient.submit("/orgs/acme/invitations", { email: "someone@elsewhere.test", role: "member" });
    const mine = await db("invitations").where({ email: "alice@elsewhere.test" }).first();
    const theirs = await db("invitations").where({ email: "someone@elsewhere.test" }).first();
    const client = await loginAs(t.baseUrl, alice);
    const welcome = await client.get("/welcome/organization");
    assert.match(welcome.html, new RegExp(`href="/invitations/received/${mine.id}"`));
    assert.doesNotMatch(welcome.html, new RegExp(`/invitations/received/${theirs.id}"`));
    assert.match(welcome.html, /href="\/orgs\/new"/);
    assert.match(welcome.html, /href="\/">Skip for now</);
    assert.equal((await client.get(`/invitations/received/${theirs.id}`)).status, 404);
    const csrf = (await client.get("/")).html.match(/name="_csrf" value="([^"]+)"/)![1]!;
    assert.equal((await client.postRaw(`/invitations/received/${theirs.id}/accept`, { _csrf: csrf })).status, 404);
    const res = await client.submit(`/invitations/received/${mine.id}`, {}, `/invitations/received/${mine.id}/accept`);
    assert.equal(res.location, "/orgs/acme");
    assert.equal(await roleOf(org, alice), "admin");
    assert.doesNotMatch((await client.get("/welcome/organization")).html, /\/invitations\/received\//, "an accepted invitation is gone from the list");
  });

  it("is for signed-in, confirmed accounts only", async () => {
    const anonymous = await fetch(`${t.baseUrl}/welcome/organization`, { redirect: "manual" });
    assert.equal(anonymous.status, 302);
    const unconfirmed = await loginAs(t.baseUrl, await buildUser({ confirmed: false }));
    assert.equal((await unconfirmed.get("/welcome/organization")).status, 403);
  });
});
