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

describe("organizations backed by a GitHub organization", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);
  let gh: ProviderEmulator;
  beforeEach(() => {
    gh = emu.byName.github;
    gh.resetOrgs();
  });

  /** An owner with a password account and GitHub linked as `login`, signed in; and their organization. */
  async function ownerWithGitHub(login: string) {
    const owner = await buildUser({ username: login });
    const client = await loginAs(t.baseUrl, owner);
    const linked = await viaProvider(client, gh, { login, email: owner.email, emailVerified: true }, { page: "/settings/identities", intent: "link" });
    assert.equal(linked.status, 302);
    const org = await buildOrg(owner, { slug: `${login}-co`, name: `${login} Co` });
    return { owner, client, org };
  }

  /** Someone who signed up with GitHub as `login` (a confirmed account with the identity), signed in. */
  async function gitHubPerson(login: string) {
    const client = new TestClient(t.baseUrl);
    const res = await viaProvider(client, gh, { login, name: login, email: `${login}@example.test`, emailVerified: true });
    assert.equal(res.status, 302, res.html.slice(0, 300));
    const user = await db("users").where({ username: login }).first();
    return { client, user: user as { id: number; username: string; email: string } };
  }

  function githubOrg(login: string, members: Record<string, "admin" | "member">, id = 4242) {
    gh.orgs.set(login, { id, members });
  }

  /** Runs the connect flow as the owner up to the choice page; returns it and the authorize URL. */
  async function startConnect(client: TestClient, slug: string, ownerLogin: string) {
    const start = await client.submit(`/orgs/${slug}/settings`, {}, `/orgs/${slug}/settings/backing/github/start`);
    assert.equal(start.status, 302, start.html.slice(0, 300));
    const authorize = start.location!;
    const back = await followCallback(client, await gh.decide(authorize, "approve", { login: ownerLogin }));
    assert.equal(back.status, 302, back.html.slice(0, 300));
    assert.equal(back.location, `/orgs/${slug}/settings/backing/github`);
    const choose = await client.get(back.location!);
    return { authorize: new URL(authorize), choose };
  }

  async function connect(client: TestClient, slug: string, ownerLogin: string, githubOrgId: string) {
    const { choose } = await startConnect(client, slug, ownerLogin);
    assert.equal(choose.status, 200, choose.html.slice(0, 300));
    const done = await client.submit(`/orgs/${slug}/settings/backing/github`, { provider_org_id: githubOrgId });
    assert.equal(done.status, 302, done.html.slice(0, 500));
  }

  it("connects: read:org is asked only then, only administered organizations are offered, and the token is stored sealed", async () => {
    const { client, org } = await ownerWithGitHub("bk-owner");
    githubOrg("bk-admin-org", { "bk-owner": "admin" }, 1001);
    githubOrg("bk-member-org", { "bk-owner": "member" }, 1002);
    const { authorize, choose } = await startConnect(client, org.slug, "bk-owner");
    assert.equal(authorize.searchParams.get("scope"), "read:org");
    assert.equal(authorize.searchParams.get("redirect_uri"), `${t.baseUrl}/auth/github/callback/org-backing`);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    assert.match(choose.html, /bk-admin-org/);
    assert.doesNotMatch(choose.html, /bk-member-org/);
    const forged = await client.submit(`/orgs/${org.slug}/settings/backing/github`, { provider_org_id: "1002" });
    assert.equal(forged.status, 422);
    assert.equal(await findOrganizationBacking(org.id), undefined);
    const done = await client.submit(`/orgs/${org.slug}/settings/backing/github`, { provider_org_id: "1001" });
    assert.equal(done.status, 302);
    const row = await findOrganizationBacking(org.id);
    assert.equal(row?.provider_org_login, "bk-admin-org");
    assert.equal(row?.provider_org_id, "1001");
    assert.match(row!.token_sealed, /^v1\./);
    const token = t.ctx.secretBox.open(row!.token_sealed)!;
    assert.ok(token.length >= 20);
    assert.ok(!row!.token_sealed.includes(token));
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /Backed by the GitHub organization <strong>bk-admin-org<\/strong>/);
    const log = await db("organization_events").where({ organization_id: org.id, action: "backing.connected" });
    assert.equal(log.length, 1);
  });

  it("sign-in with GitHub still asks for user:email only", async () => {
    const client = new TestClient(t.baseUrl);
    const res = await client.submit("/login", {}, "/auth/github");
    assert.equal(new URL(res.location!).searchParams.get("scope"), "user:email");
  });

  it("refuses a token of another GitHub account than the owner's linked one", async () => {
    const { client, org } = await ownerWithGitHub("bk-self");
    githubOrg("bk-self-org", { "bk-other": "admin" });
    const start = await client.submit(`/orgs/${org.slug}/settings`, {}, `/orgs/${org.slug}/settings/backing/github/start`);
    const back = await followCallback(client, await gh.decide(start.location!, "approve", { login: "bk-other" }));
    const page = await client.get(back.location!);
    assert.equal(page.status, 403);
    assert.match(page.html, /different GitHub account/);
  });

  it("refuses a callback whose state this browser did not store", async () => {
    const { client, org } = await ownerWithGitHub("bk-state");
    // The second is as many characters as the real state but more bytes: a comparison by characters
    // then handed timingSafeEqual buffers of different lengths, which throws (a 500).
    const forgeries = [() => "forged-state-value-that-is-long", (real: string) => `é${real.slice(1)}`];
    for (const forge of forgeries) {
      const start = await client.submit(`/orgs/${org.slug}/settings`, {}, `/orgs/${org.slug}/settings/backing/github/start`);
      const cb = new URL(await gh.decide(start.location!, "approve", { login: "bk-state" }));
      cb.searchParams.set("state", forge(cb.searchParams.get("state")!));
      assert.equal((await followCallback(client, cb.toString())).status, 400, cb.searchParams.get("state")!);
    }
  });

  it("answers 403 to an admin and 404 to an outsider", async () => {
    const { org } = await ownerWithGitHub("bk-guard");
    const admin = await buildUser({ username: "bk-guard-admin" });
    await addMember(org, admin, "admin");
    const outsider = await buildUser({ username: "bk-guard-out" });
    const adminClient = await loginAs(t.baseUrl, admin);
    const outClient = await loginAs(t.baseUrl, outsider);
    assert.equal((await adminClient.get(`/orgs/${org.slug}/settings/backing/github`)).status, 403);
    assert.equal((await outClient.get(`/orgs/${org.slug}/settings/backing/github`)).status, 404);
    const page = await adminClient.get(`/orgs/${org.slug}/members`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    assert.equal((await adminClient.postRaw(`/orgs/${org.slug}/settings/backing/github/start`, { _csrf: csrf })).status, 403);
    assert.equal((await adminClient.postRaw(`/orgs/${org.slug}/settings/backing/remove`, { _csrf: csrf })).status, 403);
  });

  it("lists the GitHub organization's people on Gatehouse and invites one with one click", async () => {
    const { client, org } = await ownerWithGitHub("bk-inv-owner");
    const { user: ada } = await gitHubPerson("bk-ada");
    await gitHubPerson("bk-stranger");
    githubOrg("bk-inv-org", { "bk-inv-owner": "admin", "bk-ada": "member" });
    gh.pageSize = 1;
    await connect(client, org.slug, "bk-inv-owner", "4242");
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    assert.match(page.html, /People in bk-inv-org on Gatehouse/);
    assert.match(page.html, /bk-ada/);
    assert.doesNotMatch(page.html, /bk-stranger/);
    assert.doesNotMatch(page.html, /bk-ada@example\.test/);
    const res = await client.submit(`/orgs/${org.slug}/invitations`, {}, `/orgs/${org.slug}/invitations/backed/${ada.id}`);
    assert.equal(res.status, 302);
    const inv = await db("invitations").where({ organization_id: org.id, email: ada.email, status: "pending" }).first();
    assert.equal(inv?.role, "member");
    await t.mailbox.waitFor(ada.email, (m) => /invit/i.test(m.subject));
    const after = await client.get(`/orgs/${org.slug}/invitations`);
    assert.doesNotMatch(after.html, /Invite bk-ada/);
  });

  it("asks GitHub about the one person at the click: someone who left since the list is refused, and an outage invites nobody", async () => {
    const { client, org } = await ownerWithGitHub("bk-click-owner");
    const { user: bo } = await gitHubPerson("bk-bo");
    githubOrg("bk-click-org", { "bk-click-owner": "admin", "bk-bo": "member" }, 4343);
    await connect(client, org.slug, "bk-click-owner", "4343");
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    const csrf = /action="\/orgs\/[^"]+\/invitations\/backed\/\d+"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    gh.failUserApi = true;
    const down = await client.postRaw(`/orgs/${org.slug}/invitations/backed/${bo.id}`, { _csrf: csrf });
    gh.failUserApi = false;
    assert.equal(down.status, 302);
    assert.match((await client.get(`/orgs/${org.slug}/invitations`)).html, /We could not reach GitHub to check that bk-bo is in the GitHub organization/);
    githubOrg("bk-click-org", { "bk-click-owner": "admin" }, 4343);
    assert.equal((await client.postRaw(`/orgs/${org.slug}/invitations/backed/${bo.id}`, { _csrf: csrf })).status, 404);
    assert.equal((await db("invitations").where({ organization_id: org.id, email: bo.email })).length, 0);
  });

  it("refuses to invite someone whose stored GitHub login now belongs to a member of another GitHub account", async () => {
    const { client, org } = await ownerWithGitHub("bk-rename-owner");
    const { user: cy } = await gitHubPerson("bk-cy");
    await gitHubPerson("bk-cy-new");
    githubOrg("bk-rename-org", { "bk-rename-owner": "admin", "bk-cy-new": "member" }, 4545);
    await connect(client, org.slug, "bk-rename-owner", "4545");
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    assert.doesNotMatch(page.html, /aria-label="Invite bk-cy"/, "the list goes by GitHub's user ids");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    // As if cy had been "bk-cy-new" on GitHub at her last sign-in, renamed since, and the login taken
    // by the person now in the organization: GitHub answers for the login, not for cy.
    await db("identities").where({ user_id: cy.id, provider: "github" }).update({ provider_username: "bk-cy-new" });
    assert.equal((await client.postRaw(`/orgs/${org.slug}/invitations/backed/${cy.id}`, { _csrf: csrf })).status, 404);
    assert.equal((await db("invitations").where({ organization_id: org.id, email: cy.email })).length, 0);
  });

  it("makes one invitation of two parallel clicks, and one removal of two parallel rechecks", async () => {
    const { client, org } = await ownerWithGitHub("bk-race-owner");
    const { user: fa } = await gitHubPerson("bk-fa");
    githubOrg("bk-race-org", { "bk-race-owner": "admin", "bk-fa": "member" });
    await connect(client, org.slug, "bk-race-owner", "4242");
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    const csrf = /action="\/orgs\/[^"]+\/invitations\/backed\/\d+"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const answers = await Promise.all([1, 2].map(() => client.postRaw(`/orgs/${org.slug}/invitations/backed/${fa.id}`, { _csrf: csrf })));
    assert.deepEqual(answers.map((a) => a.status), [302, 302]);
    assert.equal((await db("invitations").where({ organization_id: org.id, email: fa.email, status: "pending" })).length, 1);
    await addMember(org, fa, "member");
    gh.orgs.set("bk-race-org", { id: 4242, members: { "bk-race-owner": "admin" } });
    const removed = await Promise.all([recheckAllBackings(t.ctx), recheckAllBackings(t.ctx)]);
    assert.equal(removed[0]! + removed[1]!, 1);
    assert.equal((await db("organization_events").where({ organization_id: org.id, action: "member.removed" })).length, 1);
  });

  it("lets members of the GitHub organization join at sign-in only when the owners allow it", async () => {
    const { client, org } = await ownerWithGitHub("bk-join-owner");
    const { user: bo } = await gitHubPerson("bk-bo");
    githubOrg("bk-join-org", { "bk-join-owner": "admin", "bk-bo": "member" });
    await connect(client, org.slug, "bk-join-owner", "4242");
    await viaProvider(new TestClient(t.baseUrl), gh, { login: "bk-bo", email: bo.email, emailVerified: true });
    assert.equal(await roleOf(org, bo), undefined);
    const saved = await client.submit(`/orgs/${org.slug}/settings`, { self_join: "yes" }, `/orgs/${org.slug}/settings/backing/self-join`);
    assert.equal(saved.status, 302);
    await viaProvider(new TestClient(t.baseUrl), gh, { login: "bk-bo", email: bo.email, emailVerified: true });
    assert.equal(await roleOf(org, bo), "member");
  });

  it("removes at the daily recheck someone who left, mailing them and the owners; keeps owners; does nothing on API errors", async () => {
    const { owner, client, org } = await ownerWithGitHub("bk-re-owner");
    const { user: cy } = await gitHubPerson("bk-cy");
    const { user: coOwner } = await gitHubPerson("bk-co-owner");
    await addMember(org, cy, "member");
    await addMember(org, coOwner, "owner");
    githubOrg("bk-re-org", { "bk-re-owner": "admin", "bk-cy": "member", "bk-co-owner": "member" });
    await connect(client, org.slug, "bk-re-owner", "4242");
    assert.equal(await recheckAllBackings(t.ctx), 0);
    gh.orgs.set("bk-re-org", { id: 4242, members: { "bk-re-owner": "admin" } });
    gh.failUserApi = true;
    assert.equal(await recheckAllBackings(t.ctx), 0);
    assert.equal(await roleOf(org, cy), "member");
    gh.failUserApi = false;
    assert.equal(await recheckAllBackings(t.ctx), 1);
    assert.equal(await roleOf(org, cy), undefined);
    assert.equal(await roleOf(org, coOwner), "owner");
    await t.mailbox.waitFor(cy.email, (m) => /no longer have access/.test(m.subject));
    await t.mailbox.waitFor(owner.email, (m) => /bk-cy was removed/.test(m.subject));
    await t.mailbox.waitFor(coOwner.email, (m) => /bk-cy was removed/.test(m.subject));
  });

  it("removes at sign-in someone who left", async () => {
    const { client, org } = await ownerWithGitHub("bk-si-owner");
    const { user: di } = await gitHubPerson("bk-di");
    await addMember(org, di, "member");
    githubOrg("bk-si-org", { "bk-si-owner": "admin" });
    await connect(client, org.slug, "bk-si-owner", "4242");
    await viaProvider(new TestClient(t.baseUrl), gh, { login: "bk-di", email: di.email, emailVerified: true });
    assert.equal(await roleOf(org, di), undefined);
  });

  it("marks backing broken when GitHub refuses the token, shows it to owners, and removes nobody", async () => {
    const { client, org } = await ownerWithGitHub("bk-br-owner");
    const { user: ed } = await gitHubPerson("bk-ed");
    await addMember(org, ed, "member");
    githubOrg("bk-br-org", { "bk-br-owner": "admin" });
    await connect(client, org.slug, "bk-br-owner", "4242");
    gh.revokeTokens();
    assert.equal(await recheckAllBackings(t.ctx), 0);
    assert.equal(await roleOf(org, ed), "member");
    assert.ok((await findOrganizationBacking(org.id))?.broken_at);
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /Not working/);
    assert.match(settings.html, /stopped accepting the stored token/);
  });

  it("turning backing off deletes the token", async () => {
    const { client, org } = await ownerWithGitHub("bk-off-owner");
    githubOrg("bk-off-org", { "bk-off-owner": "admin" });
    await connect(client, org.slug, "bk-off-owner", "4242");
    assert.ok(await findOrganizationBacking(org.id));
    const res = await client.submit(`/orgs/${org.slug}/settings/backing/remove`, {});
    assert.equal(res.status, 302);
    assert.equal(await findOrganizationBacking(org.id), undefined);
    assert.equal(Number((await db("organization_backings").count<{ count: string }[]>("* as count"))[0]!.count), 0);
  });
});
