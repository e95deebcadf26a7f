import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { findOrganizationBacking } from "../../../../src/db/organization-backings";
import { recheckAllBackings } from "../../../../src/services/org-backing-recheck";
import type { ProviderEmulator } from "../../../../src/dev/emulators";
import { useTestApp } from "../../../helpers/app";
import { TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, roleOf } from "../../../helpers/orgs";
import { followCallback, useProviderEmulators, viaProvider } from "../../../helpers/providers";

describe("organizations backed by a GitLab group", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);
  let gl: ProviderEmulator;
  beforeEach(() => {
    gl = emu.byName.gitlab;
    gl.resetOrgs();
  });

  /** An owner with a password account and GitLab linked as `login`, signed in; and their organization. */
  async function ownerWithGitLab(login: string) {
    const owner = await buildUser({ username: login });
    const client = await loginAs(t.baseUrl, owner);
    const linked = await viaProvider(client, gl, { login, email: owner.email, emailVerified: true }, { page: "/settings/identities", intent: "link" });
    assert.equal(linked.status, 302);
    const org = await buildOrg(owner, { slug: `${login}-co`, name: `${login} Co` });
    return { owner, client, org };
  }

  /** Someone who signed up with GitLab as `login`, signed in. */
  async function gitLabPerson(login: string) {
    const client = new TestClient(t.baseUrl);
    const res = await viaProvider(client, gl, { login, name: login, email: `${login}@example.test`, emailVerified: true });
    assert.equal(res.status, 302, res.html.slice(0, 300));
    const user = await db("users").where({ username: login }).first();
    return { client, user: user as { id: number; username: string; email: string } };
  }

  const group = (fullPath: string, members: Record<string, "admin" | "member">, id = 5151) => gl.orgs.set(fullPath, { id, members });

  /** Runs the connect flow as the owner up to the choice page; returns it and the authorize URL. */
  async function startConnect(client: TestClient, slug: string, ownerLogin: string) {
    const start = await client.submit(`/orgs/${slug}/settings`, {}, `/orgs/${slug}/settings/backing/gitlab/start`);
    assert.equal(start.status, 302, start.html.slice(0, 300));
    const authorize = start.location!;
    const back = await followCallback(client, await gl.decide(authorize, "approve", { login: ownerLogin }));
    assert.equal(back.status, 302, back.html.slice(0, 300));
    assert.equal(back.location, `/orgs/${slug}/settings/backing/gitlab`);
    return { authorize: new URL(authorize), choose: await client.get(back.location!) };
  }

  async function connect(client: TestClient, slug: string, ownerLogin: string, groupId = "5151") {
    const { choose } = await startConnect(client, slug, ownerLogin);
    assert.equal(choose.status, 200, choose.html.slice(0, 300));
    const done = await client.submit(`/orgs/${slug}/settings/backing/gitlab`, { provider_org_id: groupId });
    assert.equal(done.status, 302, done.html.slice(0, 500));
  }

  it("connects: read_api is asked only then, only owned groups are offered, a forged group id is refused, and both tokens are stored sealed", async () => {
    const { client, org } = await ownerWithGitLab("gl-owner");
    group("gl-owned/platform", { "gl-owner": "admin" }, 2001);
    group("gl-developer", { "gl-owner": "member" }, 2002);
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /Back this organization with a GitLab group/);
    const { authorize, choose } = await startConnect(client, org.slug, "gl-owner");
    assert.equal(authorize.origin, new URL(gl.url).origin, "GITLAB_URL (self-managed) is where the owner is sent");
    assert.equal(authorize.searchParams.get("scope"), "read_api");
    assert.equal(authorize.searchParams.get("redirect_uri"), `${t.baseUrl}/auth/gitlab/callback/org-backing`);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    assert.ok(authorize.searchParams.get("state"));
    assert.match(choose.html, /gl-owned\/platform/);
    assert.doesNotMatch(choose.html, /gl-developer/);
    const forged = await client.submit(`/orgs/${org.slug}/settings/backing/gitlab`, { provider_org_id: "2002" });
    assert.equal(forged.status, 422);
    assert.match(forged.html, /Choose one of the GitLab groups you administer/);
    assert.equal(await findOrganizationBacking(org.id), undefined);
    const done = await client.submit(`/orgs/${org.slug}/settings/backing/gitlab`, { provider_org_id: "2001" });
    assert.equal(done.status, 302);
    const row = (await findOrganizationBacking(org.id))!;
    assert.equal(row.provider, "gitlab");
    assert.equal(row.provider_org_id, "2001");
    assert.equal(row.provider_org_login, "gl-owned/platform");
    const token = t.ctx.secretBox.open(row.token_sealed)!;
    const refresh = t.ctx.secretBox.open(row.refresh_token_sealed!)!;
    assert.ok(token.length >= 20 && refresh.length >= 20 && token !== refresh);
    assert.ok(!row.token_sealed.includes(token) && !row.refresh_token_sealed!.includes(refresh));
    const expiresIn = row.token_expires_at!.getTime() - Date.now();
    assert.ok(expiresIn > 7000_000 && expiresIn <= 7200_000, `expires in ${expiresIn} ms`);
    assert.match((await client.get(`/orgs/${org.slug}/settings`)).html, /Backed by the GitLab group <strong>gl-owned\/platform<\/strong>/);
    const log = await db("organization_events").where({ organization_id: org.id, action: "backing.connected" }).first();
    assert.equal(log.details.provider, "gitlab");
  });

  it("sign-in with GitLab still asks for read_user only", async () => {
    const res = await new TestClient(t.baseUrl).submit("/login", {}, "/auth/gitlab");
    assert.equal(new URL(res.location!).searchParams.get("scope"), "read_user");
  });

  it("refuses a token of another GitLab account than the owner's linked one", async () => {
    const { client, org } = await ownerWithGitLab("gl-self");
    group("gl-self-group", { "gl-other": "admin" });
    const start = await client.submit(`/orgs/${org.slug}/settings`, {}, `/orgs/${org.slug}/settings/backing/gitlab/start`);
    const back = await followCallback(client, await gl.decide(start.location!, "approve", { login: "gl-other" }));
    const page = await client.get(back.location!);
    assert.equal(page.status, 403);
    assert.match(page.html, /different GitLab account/);
    assert.equal(await findOrganizationBacking(org.id), undefined);
  });

  it("refuses a GitHub callback for a GitLab authorization", async () => {
    const { client, org } = await ownerWithGitLab("gl-mix");
    const start = await client.submit(`/orgs/${org.slug}/settings`, {}, `/orgs/${org.slug}/settings/backing/gitlab/start`);
    const cb = new URL(await gl.decide(start.location!, "approve", { login: "gl-mix" }));
    assert.equal((await client.get(`/auth/github/callback/org-backing${cb.search}`)).status, 400);
  });

  it("lists the group's people on Gatehouse across pages and invites one with one click", async () => {
    const { client, org } = await ownerWithGitLab("gl-inv-owner");
    const { user: ada } = await gitLabPerson("gl-ada");
    await gitLabPerson("gl-stranger");
    group("gl-inv", { "gl-inv-owner": "admin", "gl-zed": "member", "gl-ada": "member" });
    gl.pageSize = 1;
    await connect(client, org.slug, "gl-inv-owner");
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    assert.match(page.html, /People in gl-inv on Gatehouse/);
    assert.match(page.html, /GitLab gl-ada/);
    assert.doesNotMatch(page.html, /gl-stranger/);
    assert.doesNotMatch(page.html, /gl-ada@example\.test/);
    const res = await client.submit(`/orgs/${org.slug}/invitations`, {}, `/orgs/${org.slug}/invitations/backed/${ada.id}`);
    assert.equal(res.status, 302);
    const inv = await db("invitations").where({ organization_id: org.id, email: ada.email, status: "pending" }).first();
    assert.equal(inv?.role, "member");
    await t.mailbox.waitFor(ada.email, (m) => /invit/i.test(m.subject));
    assert.doesNotMatch((await client.get(`/orgs/${org.slug}/invitations`)).html, /Invite gl-ada/);
  });

  it("removes at the daily recheck someone who left, mailing them and the owners, and at sign-in; keeps owners; does nothing on API errors", async () => {
    const { owner, client, org } = await ownerWithGitLab("gl-re-owner");
    const { user: cy } = await gitLabPerson("gl-cy");
    const { user: di } = await gitLabPerson("gl-di");
    const { user: coOwner } = await gitLabPerson("gl-co-owner");
    await addMember(org, cy, "member");
    await addMember(org, di, "member");
    await addMember(org, coOwner, "owner");
    group("gl-re", { "gl-re-owner": "admin", "gl-cy": "member", "gl-di": "member", "gl-co-owner": "member" });
    await connect(client, org.slug, "gl-re-owner");
    assert.equal(await recheckAllBackings(t.ctx), 0);
    group("gl-re", { "gl-re-owner": "admin", "gl-di": "member" });
    gl.failUserApi = true;
    assert.equal(await recheckAllBackings(t.ctx), 0);
    assert.equal(await roleOf(org, cy), "member");
    gl.failUserApi = false;
    assert.equal(await recheckAllBackings(t.ctx), 1);
    assert.equal(await roleOf(org, cy), undefined);
    assert.equal(await roleOf(org, coOwner), "owner");
    await t.mailbox.waitFor(cy.email, (m) => /no longer have access/.test(m.subject) && /GitLab group gl-re/.test(m.text));
    await t.mailbox.waitFor(owner.email, (m) => /gl-cy was removed/.test(m.subject));
    await t.mailbox.waitFor(coOwner.email, (m) => /gl-cy was removed/.test(m.subject));
    const event = await db("organization_events").where({ organization_id: org.id, action: "member.removed" }).first();
    assert.equal(event.details.reason, "left_gitlab_group");
    // At sign-in: asked by GitLab user id (GET /groups/:id/members/all/:user_id).
    group("gl-re", { "gl-re-owner": "admin" });
    await viaProvider(new TestClient(t.baseUrl), gl, { login: "gl-di", email: di.email, emailVerified: true });
    assert.equal(await roleOf(org, di), undefined);
  });

  it("lets members of the group join at GitLab sign-in only when the owners allow it", async () => {
    const { client, org } = await ownerWithGitLab("gl-join-owner");
    const { user: bo } = await gitLabPerson("gl-bo");
    group("gl-join", { "gl-join-owner": "admin", "gl-bo": "member" });
    await connect(client, org.slug, "gl-join-owner");
    await viaProvider(new TestClient(t.baseUrl), gl, { login: "gl-bo", email: bo.email, emailVerified: true });
    assert.equal(await roleOf(org, bo), undefined);
    const saved = await client.submit(`/orgs/${org.slug}/settings`, { self_join: "yes" }, `/orgs/${org.slug}/settings/backing/self-join`);
    assert.equal(saved.status, 302);
    await viaProvider(new TestClient(t.baseUrl), gl, { login: "gl-bo", email: bo.email, emailVerified: true });
    assert.equal(await roleOf(org, bo), "member");
  });

  it("refreshes an expired token with GitLab's refresh grant, once for two parallel rechecks, and keeps the new refresh token", async () => {
    const { client, org } = await ownerWithGitLab("gl-rf-owner");
    const { user: ed } = await gitLabPerson("gl-ed");
    await addMember(org, ed, "member");
    group("gl-rf", { "gl-rf-owner": "admin", "gl-ed": "member" });
    await connect(client, org.slug, "gl-rf-owner");
    const before = (await findOrganizationBacking(org.id))!;
    // Two hours later: GitLab no longer takes the token, and the stored expiry says so.
    gl.expireTokens();
    await db("organization_backings").where({ organization_id: org.id }).update({ token_expires_at: new Date(Date.now() - 1000) });
    const removed = await Promise.all([recheckAllBackings(t.ctx), recheckAllBackings(t.ctx)]);
    assert.deepEqual(removed, [0, 0]);
    assert.equal(gl.refreshCount, 1);
    const after = (await findOrganizationBacking(org.id))!;
    assert.equal(after.broken_at, null);
    assert.notEqual(t.ctx.secretBox.open(after.token_sealed), t.ctx.secretBox.open(before.token_sealed));
    assert.notEqual(t.ctx.secretBox.open(after.refresh_token_sealed!), t.ctx.secretBox.open(before.refresh_token_sealed!));
    assert.ok(after.token_expires_at!.getTime() > Date.now() + 7000_000);
    assert.equal(await roleOf(org, ed), "member");
    // A 401 before the recorded expiry (the token died early): one refresh, then the call is made again.
    gl.expireTokens();
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    assert.match(page.html, /People in gl-rf on Gatehouse/);
    assert.doesNotMatch(page.html, /no longer accepts the token/);
    assert.equal(gl.refreshCount, 2);
  });

  it("marks backing broken when GitLab refuses the token and its refresh token, shows it to owners, and removes nobody", async () => {
    const { client, org } = await ownerWithGitLab("gl-br-owner");
    const { user: fa } = await gitLabPerson("gl-fa");
    await addMember(org, fa, "member");
    group("gl-br", { "gl-br-owner": "admin" });
    await connect(client, org.slug, "gl-br-owner");
    gl.revokeTokens();
    assert.equal(await recheckAllBackings(t.ctx), 0);
    assert.equal(await roleOf(org, fa), "member");
    assert.ok((await findOrganizationBacking(org.id))?.broken_at);
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /Not working/);
    assert.match(settings.html, /GitLab stopped accepting the stored token/);
    assert.match(settings.html, /Connect GitLab again/);
    assert.match((await client.get(`/orgs/${org.slug}/invitations`)).html, /GitLab no longer accepts the token/);
  });

  it("turning backing off deletes both tokens", async () => {
    const { client, org } = await ownerWithGitLab("gl-off-owner");
    group("gl-off", { "gl-off-owner": "admin" });
    await connect(client, org.slug, "gl-off-owner");
    const res = await client.submit(`/orgs/${org.slug}/settings/backing/remove`, {});
    assert.equal(res.status, 302);
    assert.equal(Number((await db("organization_backings").count<{ count: string }[]>("* as count"))[0]!.count), 0);
  });
});
