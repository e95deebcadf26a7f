import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { db } from "../../../src/db/knex";
import { createPersonalAccessToken } from "../../../src/services/access-tokens";
import type { UserRow } from "../../../src/db/users";
import { useTestApp } from "../../helpers/app";
import { buildUser, loginAs } from "../../helpers/factories";
import { buildOrg } from "../../helpers/orgs";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";
import { auditEntries, buildAdmin } from "../../helpers/admin";
import { TestClient } from "../../helpers/client";
import { createOrgAccessToken } from "../../../src/services/org-access-tokens";

const META = { ip: "127.0.0.1", userAgent: "admin script" };

/** A token made for admin use, as the settings page makes one. */
async function adminToken(ctx: Parameters<typeof createPersonalAccessToken>[0], user: UserRow) {
  return (await createPersonalAccessToken(ctx, user, { description: "admin script", expiresInDays: 30, via: "web", admin: true }, META)).token;
}

describe("API: /api/v1/admin", () => {
  const t = useTestApp();
  const ENDPOINTS: [string, string, unknown?][] = [
    ["GET", "/api/v1/admin/users"],
    ["GET", "/api/v1/admin/users/1"],
    ["POST", "/api/v1/admin/users/1/suspend", {}],
    ["POST", "/api/v1/admin/users/1/unsuspend"],
    ["GET", "/api/v1/admin/orgs"],
    ["GET", "/api/v1/admin/settings"],
    ["PATCH", "/api/v1/admin/settings", { signup_mode: "closed" }],
  ];

  it("answers 404 to every token but a site admin's, and 403 to a site admin's everyday token", async () => {
    const normal = await buildUser();
    const admin = await buildAdmin();
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug: "acme" });
    const everyday = (await buildAccessToken(t.ctx, normal)).token;
    const adminsEveryday = (await buildAccessToken(t.ctx, admin)).token;
    const orgToken = (await createOrgAccessToken(org, { role: "owner", user_id: owner.id }, { description: "ci", scope: "organization", expires_in_days: "30" })).token;
    for (const [method, path, body] of ENDPOINTS) {
      assert.equal((await apiRequest(t.baseUrl, everyday, method, path, body)).status, 404, `normal user ${method} ${path}`);
      assert.equal((await apiRequest(t.baseUrl, orgToken, method, path, body)).status, 404, `organization token ${method} ${path}`);
      assert.equal((await apiRequest(t.baseUrl, undefined, method, path, body)).status, 401, `no token ${method} ${path}`);
      const res = await apiRequest(t.baseUrl, adminsEveryday, method, path, body);
      assert.equal(res.status, 403, `admin's everyday token ${method} ${path}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "admin_token_required");
    }
    assert.equal((await db("instance_settings")).length, 0);
    assert.equal((await db("users").whereNotNull("suspended_at")).length, 0);
  });

  it("only site admins can make tokens for admin use, and only on the settings page", async () => {
    const normal = await buildUser();
    await assert.rejects(createPersonalAccessToken(t.ctx, normal, { description: "x", expiresInDays: 30, via: "web", admin: true }, META), /Only site admins/);
    const client = await loginAs(t.baseUrl, normal);
    assert.doesNotMatch((await client.get("/settings/tokens")).html, /For admin use/);
    await client.submit("/settings/tokens", { description: "sneaky", expires_in_days: "30", admin: "on" });
    assert.equal((await db("access_tokens").where({ user_id: normal.id, admin: true })).length, 0);
    const admin = await buildAdmin();
    const adminClient = await loginAs(t.baseUrl, admin);
    assert.match((await adminClient.get("/settings/tokens")).html, /For admin use/);
    const created = await adminClient.submitAndFollow("/settings/tokens", { description: "ops", expires_in_days: "30", admin: "on" });
    const token = created.html.match(/data-testid="new-token">([^<]+)</)![1]!;
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/admin/users")).status, 200);
    // Through the API, even an admin token cannot mint another admin token: the field does not exist there.
    const minted = await apiRequest(t.baseUrl, token, "POST", "/api/v1/user/tokens", { description: "more", admin: true });
    assert.equal(minted.status, 422);
    // The owner losing site admin takes the token's reach with it.
    await db("users").where({ id: admin.id }).update({ is_site_admin: false });
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/admin/users")).status, 404);
  });

  it("lists, searches, shows, suspends and unsuspends users; lists organizations; reads and changes settings", async () => {
    const doc = await (await fetch(`${t.baseUrl}/api/v1/openapi.json`)).json() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>; components: object };
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: "https://gatehouse.test/openapi.json", components: doc.components });
    const conforms = async (method: string, template: string, res: Response) => {
      const documented = doc.paths[template]?.[method]?.responses[String(res.status)];
      assert.ok(documented, `${method} ${template} ${res.status} is documented`);
      const body = await res.json();
      const schema = JSON.parse(JSON.stringify(documented.content!["application/json"]!.schema).replaceAll('"#/components/', '"https://gatehouse.test/openapi.json#/components/'));
      const validate = ajv.compile(schema);
      assert.ok(validate(body), `${method} ${template}: ${ajv.errorsText(validate.errors)}`);
      return body as { data: unknown };
    };

    const admin = await buildAdmin({ username: "root" });
    const ada = await buildUser({ username: "ada", displayName: "Ada Lovelace" });
    await buildOrg(ada, { slug: "engines" });
    const adaBrowser = await loginAs(t.baseUrl, ada);
    const adaToken = (await buildAccessToken(t.ctx, ada)).token;
    const token = await adminToken(t.ctx, admin);
    const req = (method: string, path: string, body?: unknown) => apiRequest(t.baseUrl, token, method, path, body, { "user-agent": "ops-script/1.0" });

    const list = (await conforms("get", "/api/v1/admin/users", await req("GET", "/api/v1/admin/users?q=lovelace"))) as { data: { id: number; username: string; organization_count: number; last_sign_in_at: string | null }[] };
    assert.deepEqual(list.data.map((u) => u.username), ["ada"]);
    assert.equal(list.data[0]!.organization_count, 1);
    assert.ok(list.data[0]!.last_sign_in_at);
    await conforms("get", "/api/v1/admin/users", await req("GET", "/api/v1/admin/users?per_page=0"));
    await conforms("get", "/api/v1/admin/users/{id}", await req("GET", `/api/v1/admin/users/${ada.id}`));
    await conforms("get", "/api/v1/admin/users/{id}", await req("GET", "/api/v1/admin/users/999999"));

    const suspended = (await conforms("post", "/api/v1/admin/users/{id}/suspend", await req("POST", `/api/v1/admin/users/${ada.id}/suspend`, { reason: "abuse" }))) as { data: { suspended: boolean } };
    assert.equal(suspended.data.suspended, true);
    assert.equal((await apiRequest(t.baseUrl, adaToken, "GET", "/api/v1/user")).status, 401, "her token stops at once");
    assert.equal((await adaBrowser.get("/settings/profile")).status, 302, "her session too");
    await t.mailbox.waitFor(ada.email, (m) => /suspended/.test(m.subject));
    await conforms("post", "/api/v1/admin/users/{id}/suspend", await req("POST", `/api/v1/admin/users/${admin.id}/suspend`, {}));
    await conforms("post", "/api/v1/admin/users/{id}/suspend", await req("POST", `/api/v1/admin/users/${ada.id}/suspend`, { reason: 5 }));
    const back = (await conforms("post", "/api/v1/admin/users/{id}/unsuspend", await req("POST", `/api/v1/admin/users/${ada.id}/unsuspend`))) as { data: { suspended: boolean } };
    assert.equal(back.data.suspended, false);
    assert.equal((await apiRequest(t.baseUrl, adaToken, "GET", "/api/v1/user")).status, 200);

    const orgs = (await conforms("get", "/api/v1/admin/orgs", await req("GET", "/api/v1/admin/orgs?q=engine"))) as { data: { slug: string; member_count: number }[] };
    assert.deepEqual(orgs.data, [{ ...orgs.data[0], slug: "engines", member_count: 1 }]);

    const settings = (await conforms("get", "/api/v1/admin/settings", await req("GET", "/api/v1/admin/settings"))) as { data: { signup_mode: string; locked: string[] } };
    assert.equal(settings.data.signup_mode, "open");
    const patched = (await conforms("patch", "/api/v1/admin/settings", await req("PATCH", "/api/v1/admin/settings", { signup_mode: "invite_only", signup_email_domains: ["Example.com"] }))) as { data: { signup_mode: string; signup_email_domains: string[] } };
    assert.equal(patched.data.signup_mode, "invite_only");
    assert.deepEqual(patched.data.signup_email_domains, ["example.com"]);
    assert.match((await new TestClient(t.baseUrl).get("/signup")).html, /by invitation only/, "in effect at once");
    const bad = await req("PATCH", "/api/v1/admin/settings", { password_min_length: 3, unknown: 1 });
    const badBody = (await conforms("patch", "/api/v1/admin/settings", bad)) as unknown as { error: { fields: Record<string, string> } };
    assert.ok(badBody.error.fields.password_min_length);
    assert.ok(badBody.error.fields.unknown);

    const entries = await auditEntries();
    assert.deepEqual(entries.map((e) => e.action), ["user.suspended", "user.unsuspended", "instance_settings.updated"]);
    assert.ok(entries.every((e) => e.actor_username === "root" && e.user_agent === "ops-script/1.0"));
  });
});
