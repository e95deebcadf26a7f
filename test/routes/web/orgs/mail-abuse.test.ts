import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor, type TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { buildOrg } from "../../../helpers/orgs";
import { apiRequest } from "../../../helpers/tokens";
import { db } from "../../../../src/db/knex";
import type { OrganizationRow } from "../../../../src/db/organizations";
import { createOrgAccessToken } from "../../../../src/services/org-access-tokens";

/**
 * The invitation form as a mail cannon, seen from the attacker's side: one account making
 * organizations to multiply the per-organization allowance, and several accounts ganging up on one
 * inbox. Small limits through the environment keep the tests quick; the defaults are in README.
 */
describe("invitation and organization limits", () => {
  const t = useTestApp({
    RATE_LIMIT_INVITATIONS_PER_INVITER: "4",
    RATE_LIMIT_INVITATIONS_PER_RECIPIENT: "2",
    RATE_LIMIT_ORGS_PER_ACCOUNT: "3",
  });

  async function invite(client: TestClient, slug: string, email: string) {
    const page = await client.get(`/orgs/${slug}/invitations`);
    return client.postRaw(`/orgs/${slug}/invitations`, { _csrf: csrfTokenFor(page.html, `/orgs/${slug}/invitations`), email, role: "member" });
  }

  async function createOrg(client: TestClient, slug: string) {
    const page = await client.get("/orgs/new");
    return client.postRaw("/orgs/new", { _csrf: csrfTokenFor(page.html, "/orgs/new"), name: `Org ${slug}`, slug });
  }

  const invitationsTo = async (email: string) => Number((await db("outbound_mails").whereRaw('lower("to") = ?', [email]).count({ n: "*" }))[0]!.n);

  it("limits how many organizations one account creates per day, with a 429 page and Retry-After", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    for (let i = 0; i < 3; i++) assert.equal((await createOrg(client, `spawn-${i}`)).status, 302, `organization ${i}`);
    const over = await createOrg(client, "spawn-over");
    assert.equal(over.status, 429);
    assert.match(over.html, /Too many attempts/);
    const retryAfter = Number(over.headers.get("retry-after"));
    assert.ok(retryAfter > 3600 && retryAfter <= 86_400, `Retry-After: ${retryAfter}`);
    assert.equal(await db("organizations").where({ slug: "spawn-over" }).first(), undefined);
    // The limit is the account's own: another account still creates organizations.
    const other = await loginAs(t.baseUrl, await buildUser());
    assert.equal((await createOrg(other, "someone-else")).status, 302);
  });

  it("limits invitations per inviter across all of their organizations", async () => {
    const spammer = await buildUser();
    const orgs = [await buildOrg(spammer), await buildOrg(spammer)];
    const client = await loginAs(t.baseUrl, spammer);
    for (let i = 0; i < 4; i++) assert.equal((await invite(client, orgs[i % 2]!.slug, `target${i}@example.test`)).status, 302, `invitation ${i}`);
    const over = await invite(client, (await buildOrg(spammer)).slug, "target-over@example.test");
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get("retry-after")) > 0);
    assert.equal(await invitationsTo("target-over@example.test"), 0);
    // Resending is mail too.
    const pending = await db("invitations").where({ email: "target0@example.test" }).first();
    const list = await client.get(`/orgs/${orgs[0]!.slug}/invitations`);
    const resendPath = `/orgs/${orgs[0]!.slug}/invitations/${pending.id}/resend`;
    assert.equal((await client.postRaw(resendPath, { _csrf: csrfTokenFor(list.html, resendPath) })).status, 429);
  });

  it("limits invitations to one address across organizations and inviters, without spending the inviters' allowance", async () => {
    const victim = "victim@example.test";
    const clients: TestClient[] = [];
    const orgs: OrganizationRow[] = [];
    for (let i = 0; i < 3; i++) {
      const user = await buildUser();
      orgs.push(await buildOrg(user));
      clients.push(await loginAs(t.baseUrl, user));
    }
    assert.equal((await invite(clients[0]!, orgs[0]!.slug, victim)).status, 302);
    assert.equal((await invite(clients[1]!, orgs[1]!.slug, "Victim@Example.test")).status, 302);
    const third = await invite(clients[2]!, orgs[2]!.slug, victim);
    assert.equal(third.status, 429, "a third organization and inviter cannot mail the same inbox");
    assert.ok(Number(third.headers.get("retry-after")) > 0);
    assert.equal(await invitationsTo(victim), 2);

    // The refused inviter still has all four of its invitations for other addresses.
    for (let i = 0; i < 4; i++) assert.equal((await invite(clients[2]!, orgs[2]!.slug, `fine${i}@example.test`)).status, 302, `invitation ${i}`);

    // An organization token of yet another organization is held to the same address limit, in JSON.
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const created = await createOrgAccessToken(org, null, { description: "ci", scope: "organization", expires_in_days: "30" });
    const res = await apiRequest(t.baseUrl, created.token, "POST", `/api/v1/orgs/${org.slug}/invitations`, { email: victim, role: "member" });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get("retry-after")) > 0);
    assert.equal((await res.json()).error.code, "rate_limited");
    assert.equal(await invitationsTo(victim), 2);
  });
});
