import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { auditEntries, buildAdmin } from "../../../helpers/admin";
import { useTestApp } from "../../../helpers/app";
import { fieldError, inputValue, type TestClient } from "../../../helpers/client";
import { useTestDns } from "../../../helpers/dns-server";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg } from "../../../helpers/orgs";

const flashOf = (html: string) => [...html.matchAll(/class="flash flash--(\w+)"[^>]*>([^<]*)</g)].map((m) => `${m[1]}: ${m[2]!.trim()}`);

describe("verified domains", () => {
  const { dns, env } = useTestDns();
  const t = useTestApp(env);

  async function ownerWithOrg(slug = "acme") {
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug, name: slug.toUpperCase() });
    const client = await loginAs(t.baseUrl, owner);
    return { owner, org, client, page: `/orgs/${slug}/settings/sso` };
  }

  /** Adds a domain through the form; returns its row. */
  async function addDomain(client: TestClient, page: string, domain: string) {
    const res = await client.submit(page, { domain }, `${page}/domains`);
    assert.equal(res.status, 302, `adding ${domain}: ${res.status}`);
    return db("organization_domains").where({ domain: domain.toLowerCase().replace(/\.$/, "") }).orderBy("id", "desc").first();
  }

  const verify = async (client: TestClient, page: string, id: number) => {
    const res = await client.submit(page, {}, `${page}/domains/${id}/verify`);
    assert.equal(res.status, 302);
    return flashOf((await client.get(res.location!)).html);
  };

  it("adds a domain with a TXT record to publish, and verifies it once the record is there", async () => {
    const { org, client, page } = await ownerWithOrg();
    const settings = await client.get(`/orgs/${org.slug}/settings`);
    assert.match(settings.html, new RegExp(`href="${page}"`));
    const row = await addDomain(client, page, "Acme.TEST.");
    assert.equal(row.domain, "acme.test");
    assert.match(row.verification_token, /^[A-Za-z0-9_-]{22}$/, "128 random bits");
    const shown = await client.get(page);
    assert.match(shown.html, /<h2 class="org-body__title">Single sign-on and domains<\/h2>/);
    assert.match(shown.html, /data-testid="record-name">_gatehouse-challenge\.acme\.test</);
    assert.match(shown.html, new RegExp(`data-testid="record-value">gatehouse-verification=${row.verification_token}<`));
    assert.match(shown.html, /Not verified/);

    dns.set("_gatehouse-challenge.acme.test", ["v=spf1 -all", `gatehouse-verification=${row.verification_token}`]);
    assert.deepEqual(await verify(client, page, row.id), ["success: acme.test is verified."]);
    const verified = await db("organization_domains").where({ id: row.id }).first();
    assert.ok(verified.verified_at);
    assert.equal(verified.verified_by, "dns");
    assert.equal(dns.queries.get("_gatehouse-challenge.acme.test"), 1);
    assert.match((await client.get(page)).html, /badge--success">Verified/);
    const log = await client.get(`/orgs/${org.slug}/audit`);
    assert.match(log.html, /Domain added[\s\S]*acme\.test/);
    assert.match(log.html, /Domain verified[\s\S]*acme\.test by its DNS record/);
  });

  it("says what DNS answered when the record is missing, wrong or unreachable, and stays unverified", async () => {
    const { client, page } = await ownerWithOrg();
    const row = await addDomain(client, page, "acme.test");
    const name = "_gatehouse-challenge.acme.test";
    const expected = `gatehouse-verification=${row.verification_token}`;
    assert.deepEqual(await verify(client, page, row.id), [`error: No TXT record found at ${name} (no such name). Publish ${expected} there, wait for DNS to update, and verify again.`]);
    dns.set(name, []);
    assert.match((await verify(client, page, row.id))[0]!, /No TXT record found at _gatehouse-challenge\.acme\.test \(no TXT records\)/);
    dns.set(name, ["gatehouse-verification=wrong", "v=spf1 -all"]);
    assert.deepEqual(await verify(client, page, row.id), [`error: The TXT record at ${name} does not match. Found “gatehouse-verification=wrong”, “v=spf1 -all”; expected ${expected}.`]);
    dns.set("acme.test", [expected]);
    assert.match((await verify(client, page, row.id))[0]!, /does not match/, "the record belongs at the _gatehouse-challenge name, not the domain itself");
    dns.set(name, "servfail");
    assert.match((await verify(client, page, row.id))[0]!, /^error: Could not check _gatehouse-challenge\.acme\.test: the DNS server failed to answer \(SERVFAIL\)/);
    dns.set(name, "silent");
    assert.match((await verify(client, page, row.id))[0]!, /^error: Could not check _gatehouse-challenge\.acme\.test: the DNS server did not answer in time/);
    assert.equal((await db("organization_domains").where({ id: row.id }).first()).verified_at, null);
  });

  it("refuses what is not a domain an organization can own, beside the field with the typed value", async () => {
    const { org, client, page } = await ownerWithOrg();
    for (const [typed, message] of [
      ["", /Enter a domain/],
      ["com", /public suffix/],
      ["co.uk", /public suffix/],
      ["github.io", /public suffix/],
      ["alice@acme.test", /domain alone/],
      ["acme.test/path", /domain alone/],
      ["-bad-.test", /not a valid domain/],
      ["10.0.0.1", /not an IP address/],
    ] as const) {
      const res = await client.submit(page, { domain: typed }, `${page}/domains`);
      assert.equal(res.status, 422, `${typed}: ${res.status}`);
      assert.match(fieldError(res.html, "domain") ?? "", message, typed);
      assert.equal(inputValue(res.html, "domain"), typed);
    }
    await addDomain(client, page, "acme.test");
    const twice = await client.submit(page, { domain: "ACME.test" }, `${page}/domains`);
    assert.equal(twice.status, 422);
    assert.equal(fieldError(twice.html, "domain"), "This domain is already on the list.");
    assert.equal((await db("organization_domains").where({ organization_id: org.id })).length, 1);
  });

  it("lets one organization only hold a domain verified, also when two verify at the same moment", async () => {
    const a = await ownerWithOrg("acme");
    const b = await ownerWithOrg("rival");
    const rowA = await addDomain(a.client, a.page, "acme.test");
    const rowB = await addDomain(b.client, b.page, "acme.test");
    dns.set("_gatehouse-challenge.acme.test", [`gatehouse-verification=${rowA.verification_token}`, `gatehouse-verification=${rowB.verification_token}`]);
    const results = await Promise.all([verify(a.client, a.page, rowA.id), verify(b.client, b.page, rowB.id)]);
    const wins = results.filter((r) => r[0] === "success: acme.test is verified.");
    assert.equal(wins.length, 1, JSON.stringify(results));
    assert.deepEqual(results.find((r) => r !== wins[0]), ["error: acme.test: This domain is already verified by another organization."]);
    assert.equal((await db("organization_domains").where({ domain: "acme.test" }).whereNotNull("verified_at")).length, 1);

    const c = await ownerWithOrg("third");
    const taken = await c.client.submit(c.page, { domain: "acme.test" }, `${c.page}/domains`);
    assert.equal(taken.status, 422);
    assert.equal(fieldError(taken.html, "domain"), "This domain is already verified by another organization.");
  });

  it("is for owners: admins and members get 403, outsiders 404", async () => {
    const { org, client, page } = await ownerWithOrg();
    const row = await addDomain(client, page, "acme.test");
    const admin = await buildUser();
    const member = await buildUser();
    await addMember(org, admin, "admin");
    await addMember(org, member, "member");
    const outsider = await buildUser();
    for (const [user, status] of [[admin, 403], [member, 403], [outsider, 404]] as const) {
      const other = await loginAs(t.baseUrl, user);
      assert.equal((await other.get(page)).status, status);
      const csrf = (await other.get("/settings/profile")).html.match(/name="_csrf" value="([^"]+)"/)![1]!;
      for (const [path, body] of [[`${page}/domains`, { domain: "evil.test" }], [`${page}/domains/${row.id}/verify`, {}], [`${page}/domains/${row.id}/remove`, {}], [`${page}/join-policy`, { join_policy: "direct" }]] as const) {
        assert.equal((await other.postRaw(path, { _csrf: csrf, ...body })).status, status, `${path} for ${status}`);
      }
    }
    assert.equal((await db("organization_domains").where({ organization_id: org.id })).length, 1);
    assert.equal((await db("organizations").where({ id: org.id }).first()).join_policy, "off");
  });

  it("removes a domain after asking, and another organization's domain id is a 404", async () => {
    const { org, client, page } = await ownerWithOrg();
    const row = await addDomain(client, page, "acme.test");
    const other = await ownerWithOrg("other");
    const foreign = await addDomain(other.client, other.page, "other.test");
    assert.equal((await client.get(`${page}/domains/${foreign.id}/remove`)).status, 404);
    assert.equal((await client.submit(page, {}, `${page}/domains/${row.id}/verify`)).status, 302);
    const confirm = await client.get(`${page}/domains/${row.id}/remove`);
    assert.match(confirm.html, /Remove acme\.test\?/);
    const res = await client.submit(`${page}/domains/${row.id}/remove`, {});
    assert.equal(res.status, 302);
    assert.equal(await db("organization_domains").where({ id: row.id }).first(), undefined);
    assert.ok(await db("organization_domains").where({ id: foreign.id }).first());
    assert.match((await client.get(`/orgs/${org.slug}/audit`)).html, /Domain removed/);
  });

  it("sets the join policy, and logs the change", async () => {
    const { org, client, page } = await ownerWithOrg();
    const res = await client.submit(page, { join_policy: "request" }, `${page}/join-policy`);
    assert.equal(res.status, 302);
    assert.equal((await db("organizations").where({ id: org.id }).first()).join_policy, "request");
    assert.match((await client.get(`/orgs/${org.slug}/audit`)).html, /Join policy changed[\s\S]*invitation only → ask to join/);
    const bad = await client.submit(page, { join_policy: "everyone" }, `${page}/join-policy`);
    assert.equal(bad.status, 302);
    assert.deepEqual(flashOf((await client.get(bad.location!)).html), ["error: Choose who may join."]);
    assert.equal((await db("organizations").where({ id: org.id }).first()).join_policy, "request");
  });

  it("lets a site admin approve a domain without DNS, recorded in the audit log; a domain taken elsewhere is refused", async () => {
    const { org } = await ownerWithOrg();
    const other = await ownerWithOrg("other");
    const admin = await buildAdmin({ username: "root" });
    const client = await loginAs(t.baseUrl, admin);
    const res = await client.submit("/admin/orgs/acme", { domain: "Acme.test" }, "/admin/orgs/acme/domains");
    assert.equal(res.status, 302);
    const row = await db("organization_domains").where({ organization_id: org.id }).first();
    assert.equal(row.domain, "acme.test");
    assert.equal(row.verified_by, "admin");
    assert.equal(dns.queries.size, 0, "no DNS lookup");
    const entries = await auditEntries();
    assert.deepEqual(entries.map((e) => [e.action, e.target_label, e.details]), [["organization.domain_approved", "acme", { domain: "acme.test" }]]);
    assert.match((await client.get("/admin/orgs/acme")).html, /acme\.test<\/strong> <span class="badge badge--success">Verified/);

    const taken = await client.submit("/admin/orgs/other", { domain: "acme.test" }, "/admin/orgs/other/domains");
    assert.equal(taken.status, 422);
    assert.equal(fieldError(taken.html, "domain"), "This domain is already verified by another organization.");
    assert.equal(inputValue(taken.html, "domain"), "acme.test");
    assert.equal((await db("organization_domains").where({ organization_id: other.org.id })).length, 0, "nothing half-written");
    const bad = await client.submit("/admin/orgs/other", { domain: "com" }, "/admin/orgs/other/domains");
    assert.equal(bad.status, 422);
    assert.equal((await auditEntries()).length, 1);
  });
});
