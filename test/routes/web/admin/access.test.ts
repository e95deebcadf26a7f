import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { useTestApp } from "../../../helpers/app";
import { TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { buildOrg } from "../../../helpers/orgs";
import { buildAdmin } from "../../../helpers/admin";

/**
 * The admin area exists only for signed-in, confirmed, unsuspended site admins. Everyone else —
 * signed out, a normal user, an organization owner, an admin whose address is unconfirmed — gets
 * the same 404 page as an address that does not exist, on every GET and POST, and nothing changes.
 */
describe("admin area: who gets in", () => {
  const t = useTestApp();

  async function adminPaths() {
    const target = await buildUser({ username: "target" });
    await buildOrg(target, { slug: "acme" });
    const gets = ["/admin", "/admin/users", "/admin/users?q=tar", `/admin/users/${target.id}`, "/admin/orgs", "/admin/orgs/acme", "/admin/orgs/acme/delete", "/admin/settings", "/admin/audit"];
    for (const action of ["suspend", "sign-out", "delete", "grant-admin"]) gets.push(`/admin/users/${target.id}/${action}`);
    const posts = [`/admin/users/${target.id}/suspend`, `/admin/users/${target.id}/grant-admin`, `/admin/users/${target.id}/delete`, "/admin/orgs/acme/delete", "/admin/settings"];
    return { target, gets, posts };
  }

  it("a site admin sees every admin page", async () => {
    const admin = await buildAdmin();
    const { gets } = await adminPaths();
    const client = await loginAs(t.baseUrl, admin);
    for (const path of gets) {
      const res = await client.get(path);
      assert.ok(res.status === 200 || (path === "/admin" && res.status === 302), `${path}: ${res.status}`);
    }
    const home = await client.get("/");
    assert.match(home.html, /href="\/admin"/, "the account menu links to the admin area");
  });

  it("everyone else gets the plain 404 page on every admin GET and POST, and nothing changes", async () => {
    const { target, gets, posts } = await adminPaths();
    const notFound = await new TestClient(t.baseUrl).get("/no-such-page");
    assert.equal(notFound.status, 404);
    const normal = await buildUser();
    const unconfirmedAdmin = await buildAdmin({ confirmed: false });
    const owner = await buildUser();
    await buildOrg(owner, { slug: "owned" });
    const clients: [string, TestClient][] = [
      ["signed out", new TestClient(t.baseUrl)],
      ["normal user", await loginAs(t.baseUrl, normal)],
      ["organization owner", await loginAs(t.baseUrl, owner)],
      ["unconfirmed site admin", await loginAs(t.baseUrl, unconfirmedAdmin)],
    ];
    for (const [who, client] of clients) {
      // A CSRF token from a page the client can see, so that the refusal is the admin gate's.
      const page = await client.get(who === "signed out" ? "/login" : "/");
      const csrf = page.html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
      for (const path of gets) {
        const res = await client.get(path);
        assert.equal(res.status, 404, `${who} GET ${path}`);
        assert.ok(!/admin/i.test(res.html.replace(/<header[\s\S]*<\/header>/, "")), `${who} GET ${path}: the page says nothing about an admin area`);
      }
      for (const path of posts) {
        const res = await client.postRaw(path, { _csrf: csrf, username_confirmation: "target", confirm_slug: "acme", signup_mode: "closed" });
        assert.equal(res.status, 404, `${who} POST ${path}`);
      }
    }
    const after = await db("users").where({ id: target.id }).first();
    assert.equal(after.suspended_at, null);
    assert.equal(after.is_site_admin, false);
    assert.ok(await db("organizations").where({ slug: "acme" }).first(), "the organization is still there");
    assert.equal((await db("instance_settings")).length, 0, "no settings were stored");
    assert.equal((await db("admin_audit_events")).length, 0, "nothing was recorded");
  });
});
