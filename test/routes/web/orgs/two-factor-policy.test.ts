import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { canRequireTwoFactor } from "../../../../src/policies/organizations";
import { useTestApp } from "../../../helpers/app";
import { csrfTokenFor } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg } from "../../../helpers/orgs";
import { apiRequest, buildAccessToken } from "../../../helpers/tokens";
import { enableTwoFactor } from "../../../helpers/two-factor";

describe("organizations that require two-factor authentication", () => {
  const t = useTestApp();

  it("is set by owners in person only", () => {
    const table: [Parameters<typeof canRequireTwoFactor>[0], boolean][] = [
      [{ role: "owner", user_id: 1 }, true],
      [{ role: "owner", user_id: 1, viaToken: true }, false],
      [{ role: "admin", user_id: 1 }, false],
      [{ role: "member", user_id: 1 }, false],
      [null, false],
    ];
    for (const [actor, allowed] of table) assert.equal(canRequireTwoFactor(actor), allowed, JSON.stringify(actor));
  });

  it("needs the owner's own 2FA first, then shows members without it only the overview; owners see who", async () => {
    const owner = await buildUser({ username: "owner-a" });
    const admin = await buildUser({ username: "admin-b" });
    const member = await buildUser({ username: "member-c" });
    const org = await buildOrg(owner, { name: "Acme" });
    await addMember(org, admin, "admin");
    await addMember(org, member, "member");
    const ownerClient = await loginAs(t.baseUrl, owner);
    const settings = `/orgs/${org.slug}/settings`;
    const policy = `/orgs/${org.slug}/settings/two-factor`;

    const early = await ownerClient.submit(settings, { require_two_factor: "yes" }, policy);
    assert.equal(early.status, 302);
    assert.match((await ownerClient.get(settings)).html, /Turn on two-factor authentication for your own account first/);
    assert.equal((await db("organizations").where({ id: org.id }).first()).require_two_factor, false);

    const adminClient = await loginAs(t.baseUrl, admin);
    const adminSettings = await adminClient.get(settings);
    assert.doesNotMatch(adminSettings.html, /action="\/orgs\/[^"]+\/settings\/two-factor"/, "admins do not see the policy");
    const anyForm = (await adminClient.get("/settings/security")).html;
    const byAdmin = await adminClient.postRaw(policy, { _csrf: csrfTokenFor(anyForm, "/settings/security/totp/setup"), require_two_factor: "yes" });
    assert.equal(byAdmin.status, 403);

    await enableTwoFactor(ownerClient);
    const page = await ownerClient.get(settings);
    assert.match(page.html, /data-testid="non-compliant">[\s\S]*admin-b[\s\S]*member-c/);
    assert.doesNotMatch(page.html.split('data-testid="non-compliant"')[1]!.split("</section>")[0]!, /owner-a/);
    const set = await ownerClient.postRaw(policy, { _csrf: csrfTokenFor(page.html, policy), require_two_factor: "yes" });
    assert.equal(set.status, 302);
    assert.equal((await db("organizations").where({ id: org.id }).first()).require_two_factor, true);

    const memberClient = await loginAs(t.baseUrl, member);
    const overview = await memberClient.get(`/orgs/${org.slug}`);
    assert.equal(overview.status, 200);
    assert.match(overview.html, /Acme requires two-factor authentication/);
    assert.match(overview.html, /href="\/settings\/security"/);
    for (const path of ["members", "teams"]) {
      const res = await memberClient.get(`/orgs/${org.slug}/${path}`);
      assert.equal(res.status, 403, `${path}: ${res.status} ${res.location}`);
      assert.match(res.html, /Set up two-factor authentication/);
    }
    assert.equal((await memberClient.get("/settings/security")).status, 200);
    const { token } = await buildAccessToken(t.ctx, member);
    const api = await apiRequest(t.baseUrl, token, "GET", `/api/v1/orgs/${org.slug}/members`);
    assert.equal(api.status, 403);
    assert.equal((await api.json()).error.code, "two_factor_required");

    await enableTwoFactor(memberClient);
    assert.equal((await memberClient.get(`/orgs/${org.slug}/members`)).status, 200);
    assert.doesNotMatch((await memberClient.get(`/orgs/${org.slug}`)).html, /requires two-factor authentication/);
    assert.equal((await apiRequest(t.baseUrl, token, "GET", `/api/v1/orgs/${org.slug}/members`)).status, 200);
    const after = await ownerClient.get(settings);
    assert.doesNotMatch(after.html.split('data-testid="non-compliant"')[1]!.split("</section>")[0]!, /member-c/);
  });
});
