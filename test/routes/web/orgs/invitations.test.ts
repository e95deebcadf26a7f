import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor, fieldError, TestClient, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { linkIn } from "../../../helpers/mailbox";
import { addMember, buildOrg, buildTeam, roleOf } from "../../../helpers/orgs";
import { db } from "../../../../src/db/knex";

describe("invitations", () => {
  const t = useTestApp();

  async function invite(client: TestClient, slug: string, fields: Record<string, string | string[]>) {
    const page = await client.get(`/orgs/${slug}/invitations`);
    const token = csrfTokenFor(page.html, `/orgs/${slug}/invitations`);
    const body = new URLSearchParams({ _csrf: token });
    for (const [k, v] of Object.entries(fields)) for (const one of ([] as string[]).concat(v)) body.append(k, one);
    return client.request("POST", `/orgs/${slug}/invitations`, body.toString());
  }

  async function invitationLink(email: string): Promise<string> {
    const mail = await t.mailbox.waitFor(email, (m) => /invited you to join/.test(m.subject));
    return new URL(linkIn(mail, "/invitations/")).pathname;
  }

  /** An organization whose owner, signed in as `client`, invited `email` as a member; `path` is the mailed link's path. */
  async function invitedAsMember(email: string, orgOpts: { name?: string } = {}) {
    const owner = await buildUser();
    const org = await buildOrg(owner, orgOpts);
    const client = await loginAs(t.baseUrl, owner);
    await invite(client, org.slug, { email, role: "member" });
    return { owner, org, client, path: await invitationLink(email) };
  }

  it("mails an invitation; the invited, confirmed account accepts with the stored role and teams", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner, { name: "Acme" });
    const team = await buildTeam(org, "Platform");
    const invitee = await buildUser({ email: "invitee@example.test" });
    const client = await loginAs(t.baseUrl, owner);
    const res = await invite(client, org.slug, { email: "Invitee@Example.test", role: "admin", teams: String(team.id) });
    assert.equal(res.status, 302);
    const list = await client.get(res.location!);
    assert.match(list.html, /Invited Invitee@Example.test as admin\./);
    assert.match(list.html, /<td data-label="Email">Invitee@Example.test<\/td>/);
    const path = await invitationLink("invitee@example.test");

    const guest = await loginAs(t.baseUrl, invitee);
    const page = await guest.get(path);
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`<strong>${owner.username}</strong> invited you`));
    assert.match(page.html, /as an admin/);
    // Role and teams come from the stored invitation: anything posted is ignored.
    const accept = await guest.postRaw(`${path}/accept`, { _csrf: csrfTokenFor(page.html, `${path}/accept`), role: "owner", teams: "999" });
    assert.equal(accept.status, 302);
    assert.equal(accept.location, `/orgs/${org.slug}`);
    assert.equal(await roleOf(org, invitee), "admin");
    assert.equal((await db("team_memberships").where({ team_id: team.id, user_id: invitee.id })).length, 1);
    // Single use.
    assert.equal((await guest.get(path)).status, 410);
    // The owner hears about it.
    await t.mailbox.waitFor(owner.email, (m) => new RegExp(`${invitee.username} joined Acme`).test(m.subject));
  });

  it("answers the same whether or not the address has an account", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    await buildUser({ email: "exists@example.test" });
    const client = await loginAs(t.baseUrl, owner);
    const a = await invite(client, org.slug, { email: "exists@example.test", role: "member" });
    const b = await invite(client, org.slug, { email: "nobody@example.test", role: "member" });
    assert.equal(a.status, b.status);
    assert.equal(a.location, b.location);
    const ma = await t.mailbox.waitFor("exists@example.test");
    const mb = await t.mailbox.waitFor("nobody@example.test");
    assert.equal(ma.subject, mb.subject);
    assert.equal(ma.text.replace(/\/invitations\/\S+/, ""), mb.text.replace(/\/invitations\/\S+/, ""));
  });

  it("validates the form: 422 with messages beside the fields and the values kept", async () => {
    const owner = await buildUser();
    const admin = await buildUser();
    const org = await buildOrg(owner);
    const otherOrg = await buildOrg(owner);
    const foreignTeam = await buildTeam(otherOrg, "Foreign");
    await addMember(org, admin, "admin");
    const a = await loginAs(t.baseUrl, admin);
    const bad = await invite(a, org.slug, { email: "not-an-address", role: "member" });
    assert.equal(bad.status, 422);
    assert.match(fieldError(bad.html, "email") ?? "", /valid email/);
    assert.match(bad.html, /value="not-an-address"/);
    const owners = await invite(a, org.slug, { email: "x@example.test", role: "owner" });
    assert.equal(owners.status, 422, "an admin cannot invite an owner");
    assert.match(owners.html, /above your own/);
    const foreign = await invite(a, org.slug, { email: "y@example.test", role: "member", teams: String(foreignTeam.id) });
    assert.equal(foreign.status, 422, "teams of another organization are refused");
    await invite(a, org.slug, { email: "twice@example.test", role: "member" });
    const twice = await invite(a, org.slug, { email: "TWICE@example.test", role: "member" });
    assert.equal(twice.status, 422);
    assert.match(fieldError(twice.html, "email") ?? "", /already pending/);
    assert.equal((await db("invitations")).length, 1);
  });

  it("binds the invitation to the invited address", async () => {
    const { org, path } = await invitedAsMember("right@example.test");
    const stranger = await buildUser({ email: "wrong@example.test" });
    const s = await loginAs(t.baseUrl, stranger);
    const page = await s.get(path);
    assert.match(page.html, /This invitation was sent to <strong>right@example.test<\/strong>/);
    assert.match(page.html, /Sign in with another account/);
    assert.doesNotMatch(page.html, /accept"/);
    const token = csrfTokenFor(page.html, `${path}/switch`);
    const forced = await s.postRaw(`${path}/accept`, { _csrf: token });
    assert.equal(forced.location, path);
    assert.equal(await roleOf(org, stranger), undefined);
    // Switching signs out and comes back to the invitation after sign-in.
    const sw = await s.postRaw(`${path}/switch`, { _csrf: token });
    assert.equal(sw.location, `/login?next=${encodeURIComponent(path)}`);
    assert.equal((await s.get("/settings/profile")).status, 302);
    const right = await buildUser({ email: "right@example.test" });
    const back = await s.submit(sw.location!, { login: right.username, password: right.password, next: path }, "/login");
    assert.equal(back.location, path);
    assert.match((await s.get(path)).html, /Accept and join/);
  });

  it("requires the invited address to be confirmed before accepting", async () => {
    const { org, path } = await invitedAsMember("pending@example.test");
    const unconfirmed = await buildUser({ email: "pending@example.test", confirmed: false });
    const u = await loginAs(t.baseUrl, unconfirmed);
    const page = await u.get(path);
    assert.match(page.html, /Confirm your email address first/);
    const token = csrfTokenFor(page.html, "/email/resend");
    const forced = await u.postRaw(`${path}/accept`, { _csrf: token });
    assert.equal(forced.location, path);
    assert.equal(await roleOf(org, unconfirmed), undefined);
  });

  it("brings a signed-out visitor who signs up back to the invitation after confirming", async () => {
    const { org, path } = await invitedAsMember("newbie@example.test", { name: "Acme" });
    const visitor = new TestClient(t.baseUrl);
    const page = await visitor.get(path);
    assert.match(page.html, /Join Acme/);
    assert.match(page.html, new RegExp(`href="/login\\?next=${encodeURIComponent(path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
    const signupPath = `/signup?next=${encodeURIComponent(path)}`;
    assert.ok(page.html.includes(`href="${signupPath}"`), "the sign-up link keeps the invitation");
    const signupPage = await visitor.get(signupPath);
    assert.ok(signupPage.html.includes(`name="next" value="${path}"`));
    const signup = await visitor.submit(signupPath, { username: "newbie", email: "newbie@example.test", password: "a long enough passphrase here", next: path }, "/signup");
    assert.equal(signup.status, 200);
    const confirmMail = await t.mailbox.waitFor("newbie@example.test", (m) => /Confirm/.test(m.subject));
    const confirmPath = new URL(linkIn(confirmMail, "/email/confirm/")).pathname;
    // Confirming in the browser that signed up signs in, and the "about you" step passes the invitation on.
    const confirmed = await visitor.submit(confirmPath, {});
    assert.equal(confirmed.location, `/welcome?next=${encodeURIComponent(path)}`);
    const skipped = await visitor.submit(confirmed.location!, { next: path }, "/welcome/skip");
    assert.equal(skipped.location, path);
    const ready = await visitor.get(path);
    const accept = await visitor.postRaw(`${path}/accept`, { _csrf: csrfTokenFor(ready.html, `${path}/accept`) });
    assert.equal(accept.location, `/orgs/${org.slug}`);
    assert.match((await visitor.get("/")).html, /href="\/orgs\/[^"]+"/);
  });

  it("resend issues a new link and the old one stops working; revoke and expiry end a link", async () => {
    const { org, client, path: first } = await invitedAsMember("again@example.test");
    const inv = await db("invitations").first();
    t.mailbox.clear();
    const resent = await client.submit(`/orgs/${org.slug}/invitations`, {}, `/orgs/${org.slug}/invitations/${inv.id}/resend`);
    assert.equal(resent.status, 302);
    const second = await invitationLink("again@example.test");
    assert.notEqual(first, second);
    const guest = new TestClient(t.baseUrl);
    assert.equal((await guest.get(first)).status, 410);
    assert.equal((await guest.get(second)).status, 200);

    const ask = await client.get(`/orgs/${org.slug}/invitations/${inv.id}/revoke`);
    assert.match(ask.html, /Revoke this invitation\?/);
    await client.submit(`/orgs/${org.slug}/invitations/${inv.id}/revoke`, {});
    assert.equal((await guest.get(second)).status, 410);
    assert.doesNotMatch((await client.get(`/orgs/${org.slug}/invitations`)).html, /<td data-label="Email">again@example.test<\/td>/);

    await invite(client, org.slug, { email: "late@example.test", role: "member" });
    const late = await invitationLink("late@example.test");
    await db("invitations").where({ email: "late@example.test" }).update({ expires_at: new Date(Date.now() - 1000) });
    assert.equal((await guest.get(late)).status, 410);
    const lateUser = await buildUser({ email: "late@example.test" });
    const l = await loginAs(t.baseUrl, lateUser);
    const home = await l.get("/");
    const res = await l.postRaw(`${late}/accept`, { _csrf: pageCsrfToken(home.html) });
    assert.equal(res.status, 410);
    assert.equal(await roleOf(org, lateUser), undefined);
  });

  it("answers 404 for invitation ids of another organization, and admins cannot touch owner invitations", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const other = await buildOrg(owner);
    const admin = await buildUser();
    await addMember(org, admin, "admin");
    const client = await loginAs(t.baseUrl, owner);
    await invite(client, other.slug, { email: "foreign@example.test", role: "member" });
    await invite(client, org.slug, { email: "future-owner@example.test", role: "owner" });
    const foreign = await db("invitations").where({ organization_id: other.id }).first();
    const ownerInv = await db("invitations").where({ organization_id: org.id }).first();
    const a = await loginAs(t.baseUrl, admin);
    assert.equal((await a.get(`/orgs/${org.slug}/invitations/${foreign.id}/revoke`)).status, 404);
    const page = await a.get(`/orgs/${org.slug}/invitations`);
    assert.doesNotMatch(page.html, new RegExp(`/invitations/${ownerInv.id}/revoke`));
    const token = csrfTokenFor(page.html, `/orgs/${org.slug}/invitations`);
    assert.equal((await a.postRaw(`/orgs/${org.slug}/invitations/${foreign.id}/revoke`, { _csrf: token })).status, 404);
    assert.equal((await a.postRaw(`/orgs/${org.slug}/invitations/${foreign.id}/resend`, { _csrf: token })).status, 404);
    assert.equal((await a.postRaw(`/orgs/${org.slug}/invitations/${ownerInv.id}/revoke`, { _csrf: token })).status, 403);
    assert.equal((await db("invitations").where({ status: "pending" })).length, 2);
  });

  it("lets the invitee decline", async () => {
    const { org, path } = await invitedAsMember("no-thanks@example.test");
    const invitee = await buildUser({ email: "no-thanks@example.test" });
    const i = await loginAs(t.baseUrl, invitee);
    const page = await i.get(path);
    const res = await i.postRaw(`${path}/decline`, { _csrf: csrfTokenFor(page.html, `${path}/decline`) });
    assert.equal(res.location, "/");
    assert.equal(await roleOf(org, invitee), undefined);
    assert.equal((await db("invitations").first()).status, "declined");
    assert.equal((await i.get(path)).status, 410);
  });

  it("limits invitations per organization", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const client = await loginAs(t.baseUrl, owner);
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    const token = csrfTokenFor(page.html, `/orgs/${org.slug}/invitations`);
    for (let i = 0; i < t.config.rateLimits.invitationsPerOrg; i++) {
      const res = await client.postRaw(`/orgs/${org.slug}/invitations`, { _csrf: token, email: `p${i}@example.test`, role: "member" });
      assert.equal(res.status, 302, `invitation ${i}`);
    }
    const over = await client.postRaw(`/orgs/${org.slug}/invitations`, { _csrf: token, email: "one-too-many@example.test", role: "member" });
    assert.equal(over.status, 429);
    assert.ok(over.headers.get("retry-after"));
    // Another organization is not affected.
    const other = await buildOrg(owner);
    const fine = await client.postRaw(`/orgs/${other.slug}/invitations`, { _csrf: token, email: "elsewhere@example.test", role: "member" });
    assert.equal(fine.status, 302);
  });

  it("refuses to invite yourself or an existing member, beside the email field, typed values kept", async () => {
    const owner = await buildUser({ email: "boss@example.test" });
    const admin = await buildUser();
    const member = await buildUser({ email: "member@example.test" });
    const org = await buildOrg(owner);
    await addMember(org, admin, "admin");
    await addMember(org, member, "member");
    const client = await loginAs(t.baseUrl, owner);
    const self = await invite(client, org.slug, { email: "Boss@Example.test", role: "member" });
    assert.equal(self.status, 422);
    assert.match(fieldError(self.html, "email") ?? "", /your own address/);
    assert.match(self.html, /value="Boss@Example.test"/);
    const a = await loginAs(t.baseUrl, admin);
    const existing = await invite(a, org.slug, { email: "MEMBER@example.test", role: "admin" });
    assert.equal(existing.status, 422);
    assert.match(fieldError(existing.html, "email") ?? "", /already a member/);
    assert.match(existing.html, /<option value="admin" selected>/);
    // A member of another organization only is invited like anyone else.
    await buildOrg(await buildUser({ email: "elsewhere@example.test" }));
    assert.equal((await invite(a, org.slug, { email: "elsewhere@example.test", role: "member" })).status, 302);
    assert.deepEqual((await db("invitations")).map((i) => i.email), ["elsewhere@example.test"]);
    assert.equal(t.mailbox.to("member@example.test").length, 0);
  });

  it("keeps one pending invitation per address when the same one is sent in parallel", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const client = await loginAs(t.baseUrl, owner);
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    const token = csrfTokenFor(page.html, `/orgs/${org.slug}/invitations`);
    const body = (email: string) => new URLSearchParams({ _csrf: token, email, role: "member" }).toString();
    const answers = await Promise.all(
      ["race@example.test", "RACE@example.test", "Race@Example.test", "race@EXAMPLE.test", "race@example.test"].map((e) => client.request("POST", `/orgs/${org.slug}/invitations`, body(e))),
    );
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [302, 422, 422, 422, 422], "one wins, every other one gets the form again");
    for (const r of answers.filter((x) => x.status === 422)) assert.match(fieldError(r.html, "email") ?? "", /already pending/);
    assert.equal((await db("invitations").where({ organization_id: org.id })).length, 1);
    await t.mailbox.waitFor("race@example.test");
    assert.equal((await db("outbound_mails").whereRaw('lower("to") = ?', ["race@example.test"])).length, 1, "one invitation mail");
  });

  it("lists pending invitations with their teams, inviter and sent date", async () => {
    const owner = await buildUser({ username: "inviter1" });
    const org = await buildOrg(owner);
    const platform = await buildTeam(org, "Platform");
    const web = await buildTeam(org, "Web");
    const client = await loginAs(t.baseUrl, owner);
    await invite(client, org.slug, { email: "teams@example.test", role: "member", teams: [String(platform.id), String(web.id)] });
    await invite(client, org.slug, { email: "none@example.test", role: "member" });
    await db("invitations").where({ email: "none@example.test" }).update({ created_at: new Date("2026-11-20T10:00:00Z") });
    const list = await client.get(`/orgs/${org.slug}/invitations`);
    assert.match(list.html, /<th scope="col">Teams<\/th><th scope="col">Invited by<\/th><th scope="col">Sent<\/th>/);
    assert.match(list.html, /<td data-label="Email">teams@example.test<\/td>[\s\S]*?<td data-label="Teams">Platform, Web<\/td>\s*<td data-label="Invited by">inviter1<\/td>/);
    assert.match(list.html, /<td data-label="Email">none@example.test<\/td>[\s\S]*?<td data-label="Teams">—<\/td>\s*<td data-label="Invited by">inviter1<\/td>\s*<td data-label="Sent"><time datetime="2026-11-20T10:00:00.000Z"[^>]*>20 Nov 2026<\/time><\/td>/);
  });
});
