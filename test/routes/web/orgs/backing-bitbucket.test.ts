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

describe("organizations backed by a Bitbucket workspace", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);
  let bb: ProviderEmulator;
  let atl: ProviderEmulator;
  beforeEach(() => {
    bb = emu.byName.bitbucket;
    atl = emu.byName.atlassian;
    bb.resetOrgs();
  });

  /** An owner with a password account and Atlassian linked as `login`, signed in; and their organization. */
  async function ownerWithAtlassian(login: string) {
    const owner = await buildUser({ username: login });
    const client = await loginAs(t.baseUrl, owner);
    const linked = await viaProvider(client, atl, { login, email: owner.email, emailVerified: true }, { page: "/settings/identities", intent: "link" });
    assert.equal(linked.status, 302);
    const org = await buildOrg(owner, { slug: `${login}-co`, name: `${login} Co` });
    return { owner, client, org };
  }

  /** Someone who signed up with Atlassian as `login`, signed in. */
  async function atlassianPerson(login: string) {
    const client = new TestClient(t.baseUrl);
    const res = await viaProvider(client, atl, { login, name: login, email: `${login}@example.test`, emailVerified: true });
    assert.equal(res.status, 302, res.html.slice(0, 300));
    const user = await db("users").where({ username: login }).first();
    return { client, user: user as { id: number; username: string; email: string } };
  }

  const workspace = (slug: string, members: Record<string, "admin" | "member">) => bb.orgs.set(slug, { id: 0, members });

  /** The workspace's UUID as the emulator answers it (what the choice form sends). */
  async function uuidOf(choose: string, slug: string): Promise<string> {
    const m = new RegExp(`value="(\\{[^"]+\\})"[^>]*>\\s*<label for="[^"]+">${slug}<`).exec(choose);
    assert.ok(m, `no ${slug} on the choice page`);
    return m[1]!;
  }

  async function startConnect(client: TestClient, slug: string, bitbucketLogin: string) {
    const start = await client.submit(`/orgs/${slug}/settings`, {}, `/orgs/${slug}/settings/backing/bitbucket/start`);
    assert.equal(start.status, 302, start.html.slice(0, 300));
    const authorize = start.location!;
    const back = await followCallback(client, await bb.decide(authorize, "approve", { login: bitbucketLogin }));
    assert.equal(back.status, 302, back.html.slice(0, 300));
    assert.equal(back.location, `/orgs/${slug}/settings/backing/bitbucket`);
    return { authorize: new URL(authorize), choose: await client.get(back.location!) };
  }

  async function connect(client: TestClient, slug: string, login: string, workspaceSlug: string) {
    const { choose } = await startConnect(client, slug, login);
    assert.equal(choose.status, 200, choose.html.slice(0, 300));
    const done = await client.submit(`/orgs/${slug}/settings/backing/bitbucket`, { provider_org_id: await uuidOf(choose.html, workspaceSlug) });
    assert.equal(done.status, 302, done.html.slice(0, 500));
  }

  it("connects through Bitbucket's own OAuth consumer: only administered workspaces are offered, a forged workspace is refused, both tokens are stored sealed", async () => {
    const { client, org } = await ownerWithAtlassian("bb-owner");
    workspace("bb-admin-ws", { "bb-owner": "admin" });
    workspace("bb-member-ws", { "bb-owner": "member" });
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /Back this organization with a Bitbucket workspace/);
    const { authorize, choose } = await startConnect(client, org.slug, "bb-owner");
    assert.equal(authorize.origin + authorize.pathname, `${bb.url}/site/oauth2/authorize`);
    assert.equal(authorize.searchParams.get("client_id"), bb.clientId);
    assert.equal(authorize.searchParams.get("redirect_uri"), `${t.baseUrl}/auth/bitbucket/callback/org-backing`);
    assert.ok(authorize.searchParams.get("state"));
    assert.match(choose.html, /bb-admin-ws/);
    assert.doesNotMatch(choose.html, /bb-member-ws/);
    const forged = await client.submit(`/orgs/${org.slug}/settings/backing/bitbucket`, { provider_org_id: "{00000000-0000-0000-0000-000000000000}" });
    assert.equal(forged.status, 422);
    assert.match(forged.html, /Choose one of the Bitbucket workspaces you administer/);
    assert.equal(await findOrganizationBacking(org.id), undefined);
    const uuid = await uuidOf(choose.html, "bb-admin-ws");
    assert.equal((await client.submit(`/orgs/${org.slug}/settings/backing/bitbucket`, { provider_org_id: uuid })).status, 302);
    const row = (await findOrganizationBacking(org.id))!;
    assert.equal(row.provider, "bitbucket");
    assert.equal(row.provider_org_id, uuid);
    assert.equal(row.provider_org_login, "bb-admin-ws");
    assert.ok(t.ctx.secretBox.open(row.token_sealed) && t.ctx.secretBox.open(row.refresh_token_sealed!));
    assert.ok(row.token_expires_at!.getTime() > Date.now() + 7000_000);
    assert.match((await client.get(`/orgs/${org.slug}/settings`)).html, /Backed by the Bitbucket workspace <strong>bb-admin-ws<\/strong>/);
  });

  it("needs the owner's Atlassian account linked first", async () => {
    const owner = await buildUser({ username: "bb-unlinked" });
    const client = await loginAs(t.baseUrl, owner);
    const org = await buildOrg(owner, { slug: "bb-unlinked-co" });
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /connect your Atlassian account/);
    const page = await client.get("/settings/profile");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const start = await client.postRaw(`/orgs/${org.slug}/settings/backing/bitbucket/start`, { _csrf: csrf });
    assert.equal(start.status, 302);
    assert.equal(start.location, `/orgs/${org.slug}/settings`);
    assert.match((await client.get(start.location!)).html, /Connect your Atlassian account in your settings first/);
  });

  it("refuses a Bitbucket token whose account_id is not the owner's linked Atlassian account", async () => {
    const { client, org } = await ownerWithAtlassian("bb-self");
    workspace("bb-self-ws", { "bb-someone-else": "admin" });
    const start = await client.submit(`/orgs/${org.slug}/settings`, {}, `/orgs/${org.slug}/settings/backing/bitbucket/start`);
    const back = await followCallback(client, await bb.decide(start.location!, "approve", { login: "bb-someone-else" }));
    const page = await client.get(back.location!);
    assert.equal(page.status, 403);
    assert.match(page.html, /different Bitbucket account than the Atlassian account connected/);
    assert.equal(await findOrganizationBacking(org.id), undefined);
  });

  it("lists the workspace's people who linked Atlassian, across pages, and invites one with one click", async () => {
    const { client, org } = await ownerWithAtlassian("bb-inv-owner");
    const { user: ada } = await atlassianPerson("bb-ada");
    await atlassianPerson("bb-stranger");
    workspace("bb-inv", { "bb-inv-owner": "admin", "bb-zed": "member", "bb-ada": "member" });
    bb.pageSize = 1;
    await connect(client, org.slug, "bb-inv-owner", "bb-inv");
    const page = await client.get(`/orgs/${org.slug}/invitations`);
    assert.match(page.html, /People in bb-inv on Gatehouse/);
    assert.match(page.html, /Atlassian bb-ada/);
    assert.doesNotMatch(page.html, /bb-stranger/);
    const res = await client.submit(`/orgs/${org.slug}/invitations`, {}, `/orgs/${org.slug}/invitations/backed/${ada.id}`);
    assert.equal(res.status, 302);
    assert.equal((await db("invitations").where({ organization_id: org.id, email: ada.email, status: "pending" })).length, 1);
    await t.mailbox.waitFor(ada.email, (m) => /invit/i.test(m.subject));
  });

  it("removes someone who left the workspace at the daily recheck and at their Atlassian sign-in, mailing them and the owners", async () => {
    const { owner, client, org } = await ownerWithAtlassian("bb-re-owner");
    const { user: cy } = await atlassianPerson("bb-cy");
    const { user: di } = await atlassianPerson("bb-di");
    await addMember(org, cy, "member");
    await addMember(org, di, "member");
    workspace("bb-re", { "bb-re-owner": "admin", "bb-cy": "member", "bb-di": "member" });
    await connect(client, org.slug, "bb-re-owner", "bb-re");
    assert.equal(await recheckAllBackings(t.ctx), 0);
    workspace("bb-re", { "bb-re-owner": "admin", "bb-di": "member" });
    assert.equal(await recheckAllBackings(t.ctx), 1);
    assert.equal(await roleOf(org, cy), undefined);
    await t.mailbox.waitFor(cy.email, (m) => /no longer have access/.test(m.subject) && /Bitbucket workspace bb-re/.test(m.text));
    await t.mailbox.waitFor(owner.email, (m) => /bb-cy was removed/.test(m.subject));
    workspace("bb-re", { "bb-re-owner": "admin" });
    await viaProvider(new TestClient(t.baseUrl), atl, { login: "bb-di", email: di.email, emailVerified: true });
    assert.equal(await roleOf(org, di), undefined);
    assert.equal(await roleOf(org, owner), "owner");
  });

  it("refreshes an expired Bitbucket token, and marks backing broken once Bitbucket refuses the refresh token too", async () => {
    const { client, org } = await ownerWithAtlassian("bb-rf-owner");
    const { user: ed } = await atlassianPerson("bb-ed");
    await addMember(org, ed, "member");
    workspace("bb-rf", { "bb-rf-owner": "admin", "bb-ed": "member" });
    await connect(client, org.slug, "bb-rf-owner", "bb-rf");
    bb.expireTokens();
    await db("organization_backings").where({ organization_id: org.id }).update({ token_expires_at: new Date(Date.now() - 1000) });
    assert.equal(await recheckAllBackings(t.ctx), 0);
    assert.equal(bb.refreshCount, 1);
    assert.equal((await findOrganizationBacking(org.id))!.broken_at, null);
    bb.revokeTokens();
    assert.equal(await recheckAllBackings(t.ctx), 0);
    assert.equal(await roleOf(org, ed), "member");
    assert.ok((await findOrganizationBacking(org.id))?.broken_at);
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, /Bitbucket stopped accepting the stored token/);
    assert.match(settings.html, /Connect Bitbucket again/);
  });
});
