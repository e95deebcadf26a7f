import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { useTestApp } from "../../../helpers/app";
import { TestClient, fieldError } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { buildOrg } from "../../../helpers/orgs";
import { apiRequest, buildAccessToken } from "../../../helpers/tokens";
import { auditEntries, buildAdmin } from "../../../helpers/admin";
import { signUp } from "../../../../src/services/signup";

/** Posts an admin action's confirmation form, as the admin would after reading the page. */
function act(client: TestClient, userId: number, action: string, fields: Record<string, string> = {}) {
  return client.submit(`/admin/users/${userId}/${action}`, fields);
}

describe("admin: users", () => {
  const t = useTestApp();

  it("lists and searches users by username, email or name, with their state, paginated", async () => {
    const admin = await buildAdmin({ username: "root" });
    const ada = await buildUser({ username: "ada", email: "lovelace@example.test", displayName: "Countess of Lovelace" });
    await buildUser({ username: "grace", confirmed: false });
    const org = await buildOrg(ada);
    await db("memberships").insert({ organization_id: (await buildOrg(admin)).id, user_id: ada.id, role: "member" });
    assert.ok(org);
    // Someone signing up with a taken address leaves a placeholder holding the username: not an account.
    await signUp(t.ctx, { username: "squatter", email: ada.email, password: "another long passphrase here" });
    for (let i = 0; i < 30; i++) await buildUser({ username: `bulk${String(i).padStart(2, "0")}` });
    const client = await loginAs(t.baseUrl, admin);

    for (const q of ["ada", "LOVELACE@", "countess"]) {
      const page = await client.get(`/admin/users?q=${encodeURIComponent(q)}`);
      assert.equal(page.status, 200);
      assert.match(page.html, /href="\/admin\/users\/\d+"><strong>ada<\/strong>/, q);
      assert.match(page.html, /1 user matching/, q);
    }
    const adaRow = (await client.get("/admin/users?q=ada")).html;
    assert.match(adaRow, /Confirmed/);
    assert.match(adaRow, /data-label="Organizations">2</);
    assert.match((await client.get("/admin/users?q=grace")).html, /Unconfirmed/);
    assert.doesNotMatch((await client.get("/admin/users?q=squatter")).html, /<strong>squatter</);
    // % and _ are searched for literally.
    assert.match((await client.get("/admin/users?q=%25")).html, /0 users matching/);
    const first = await client.get("/admin/users");
    assert.match(first.html, /33 users/);
    assert.match(first.html, /Page 1 of 2/);
    const second = await client.get("/admin/users?page=2");
    assert.match(second.html, /Page 2 of 2/);
    assert.notEqual(first.html.match(/<strong>(bulk\d+)<\/strong>/g)?.join(), second.html.match(/<strong>(bulk\d+)<\/strong>/g)?.join());
    // The one pager of every list: a value that is not a page is a 422 saying so, as on the API.
    const notAPage = await client.get("/admin/users?page=abc");
    assert.equal(notAPage.status, 422);
    assert.match(notAPage.html, /That is not a page of this list/);
    assert.match((await client.get("/admin/users?page=99")).html, /Page 2 of 2/);
    assert.equal((await client.get("/admin/users/999999")).status, 404);
    assert.equal((await client.get("/admin/users/nope")).status, 404);
  });

  it("shows a user's sessions, tokens, identities, organizations and security log", async () => {
    const admin = await buildAdmin();
    const ada = await buildUser({ username: "ada" });
    await loginAs(t.baseUrl, ada);
    await buildAccessToken(t.ctx, ada, { description: "laptop CLI" });
    await buildOrg(ada, { slug: "engines", name: "Analytical Engines" });
    await db("identities").insert({ user_id: ada.id, provider: "github", provider_user_id: "42", provider_username: "ada-gh" });
    const client = await loginAs(t.baseUrl, admin);
    const page = await client.get(`/admin/users/${ada.id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /Sessions <span class="muted">\(1\)<\/span>/);
    assert.match(page.html, /<span class="muted">on Linux<\/span>/);
    assert.match(page.html, /laptop CLI/);
    assert.match(page.html, /GitHub<\/strong> <span class="muted">ada-gh/);
    assert.match(page.html, /Analytical Engines/);
    assert.match(page.html, /<code>sign_in<\/code>/);
    assert.match(page.html, /<code>access_token.created<\/code>/);
  });

  it("suspends: sessions and tokens stop at once, sign-in is refused with a message, a mail says so; unsuspending gives it back", async () => {
    const admin = await buildAdmin({ username: "root" });
    const ada = await buildUser({ username: "ada" });
    const adaBrowser = await loginAs(t.baseUrl, ada);
    const { token } = await buildAccessToken(t.ctx, ada);
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 200);
    const client = await loginAs(t.baseUrl, admin);

    const confirm = await client.get(`/admin/users/${ada.id}/suspend`);
    assert.match(confirm.html, /signed out everywhere at once/);
    const res = await act(client, ada.id, "suspend", { reason: "Spam from this account" });
    assert.equal(res.status, 302);
    assert.equal(res.location, `/admin/users/${ada.id}`);

    // The very next request of each: the browser is signed out, the token refused.
    assert.equal((await adaBrowser.get("/settings/profile")).status, 302);
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 401);
    const mail = await t.mailbox.waitFor(ada.email, (m) => /suspended/.test(m.subject));
    assert.match(mail.text, /Spam from this account/);

    // The right password hears why; a wrong one hears the usual words, so nobody else learns anything.
    const refused = await new TestClient(t.baseUrl).submit("/login", { login: "ada", password: ada.password });
    assert.equal(refused.status, 403);
    assert.match(refused.html, /This account is suspended/);
    const wrong = await new TestClient(t.baseUrl).submit("/login", { login: "ada", password: "not the password at all" });
    assert.equal(wrong.status, 422);
    assert.doesNotMatch(wrong.html, /suspended/);

    const page = await client.get(`/admin/users/${ada.id}`);
    assert.match(page.html, /Suspended<\/span> since/);
    assert.equal((await act(client, ada.id, "unsuspend")).status, 302);
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 200, "the token works again");
    await loginAs(t.baseUrl, ada);
    assert.deepEqual((await auditEntries()).map((e) => [e.actor_username, e.action, e.target_label]), [["root", "user.suspended", "ada"], ["root", "user.unsuspended", "ada"]]);
  });

  it("a sign-in racing with the suspension is signed out too", async () => {
    const admin = await buildAdmin();
    const ada = await buildUser({ username: "ada" });
    const client = await loginAs(t.baseUrl, admin);
    const [adaBrowser] = await Promise.all([loginAs(t.baseUrl, ada).catch(() => undefined), act(client, ada.id, "suspend")]);
    // Whichever came first, no session of hers works afterwards.
    if (adaBrowser) assert.equal((await adaBrowser.get("/settings/profile")).status, 302);
    assert.ok((await db("users").where({ id: ada.id }).first()).suspended_at);
  });

  it("resends the confirmation mail and marks an address confirmed", async () => {
    const admin = await buildAdmin();
    const grace = await buildUser({ username: "grace", confirmed: false });
    const client = await loginAs(t.baseUrl, admin);
    assert.equal((await act(client, grace.id, "resend-confirmation")).status, 302);
    const mail = await t.mailbox.waitFor(grace.email);
    assert.match(mail.text, /\/email\/confirm\//);
    assert.equal((await act(client, grace.id, "confirm-email")).status, 302);
    const row = await db("users").where({ id: grace.id }).first();
    assert.ok(row.email_confirmed_at);
    assert.equal((await db("email_codes").where({ user_id: grace.id, purpose: "email_confirmation" })).length, 0, "the mailed link no longer works");
    // Neither is offered (nor possible) for a confirmed address.
    assert.equal((await client.get(`/admin/users/${grace.id}/resend-confirmation`)).status, 404);
  });

  it("signs a user out everywhere", async () => {
    const admin = await buildAdmin();
    const ada = await buildUser();
    const one = await loginAs(t.baseUrl, ada);
    const two = await loginAs(t.baseUrl, ada);
    const client = await loginAs(t.baseUrl, admin);
    const res = await client.submitAndFollow(`/admin/users/${ada.id}/sign-out`, {});
    assert.match(res.html, /signed out of 2 sessions/);
    for (const c of [one, two]) assert.equal((await c.get("/settings/profile")).status, 302);
    assert.equal((await client.get("/admin/users")).status, 200, "the admin stays signed in");
  });

  it("deletes an account after its username is typed, but not the last owner of an organization", async () => {
    const admin = await buildAdmin();
    const ada = await buildUser({ username: "ada" });
    const org = await buildOrg(ada, { name: "Engines" });
    const client = await loginAs(t.baseUrl, admin);
    const typo = await act(client, ada.id, "delete", { username_confirmation: "adaa" });
    assert.equal(typo.status, 422);
    assert.equal(fieldError(typo.html, "username_confirmation"), "Type ada to confirm.");
    const owner = await act(client, ada.id, "delete", { username_confirmation: "ada" });
    assert.equal(owner.status, 409);
    assert.match(owner.html, /ada is the last owner of Engines/);
    assert.ok(await db("users").where({ id: ada.id }).first());
    await db("organizations").where({ id: org.id }).delete();
    const res = await act(client, ada.id, "delete", { username_confirmation: "ada" });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/admin/users");
    assert.equal(await db("users").where({ id: ada.id }).first(), undefined);
    const mail = await t.mailbox.waitFor(ada.email);
    assert.match(mail.subject, /deleted by an administrator/);
    assert.equal((await client.get(`/admin/users/${admin.id}/delete`)).status, 404, "admins delete themselves from their own settings");
  });

  it("grants and revokes site admin, never the last one", async () => {
    const root = await buildAdmin({ username: "root" });
    const ada = await buildUser({ username: "ada" });
    const client = await loginAs(t.baseUrl, root);
    assert.equal((await act(client, ada.id, "grant-admin")).status, 302);
    const adaClient = await loginAs(t.baseUrl, ada);
    assert.equal((await adaClient.get("/admin/users")).status, 200);
    assert.equal((await act(client, ada.id, "revoke-admin")).status, 302);
    assert.equal((await adaClient.get("/admin/users")).status, 404, "at once, in a session signed in before");
    const last = await act(client, root.id, "revoke-admin");
    assert.equal(last.status, 409);
    assert.match(last.html, /last site admin/);
    assert.equal((await db("users").where({ id: root.id }).first()).is_site_admin, true);
    assert.equal((await client.get(`/admin/users/${root.id}/suspend`)).status, 404, "nor suspend themselves");
  });

  it("the last site admin cannot delete their own account either", async () => {
    const root = await buildAdmin({ username: "root" });
    const client = await loginAs(t.baseUrl, root);
    const refused = await client.submit("/settings/account", { username_confirmation: "root", password: root.password }, "/settings/account/delete");
    assert.equal(refused.status, 422);
    assert.match(refused.html, /You are the last site admin/);
    assert.ok(await db("users").where({ id: root.id }).first());
    await buildAdmin();
    const ok = await client.submit("/settings/account", { username_confirmation: "root", password: root.password }, "/settings/account/delete");
    assert.equal(ok.status, 302);
    assert.equal(await db("users").where({ id: root.id }).first(), undefined);
  });

  it("two admins revoking each other at the same moment: one of them stays", async () => {
    for (let round = 0; round < 5; round++) {
      await db("users").delete();
      const a = await buildAdmin();
      const b = await buildAdmin();
      const [ca, cb] = await Promise.all([loginAs(t.baseUrl, a), loginAs(t.baseUrl, b)]);
      const pages = await Promise.all([ca.get(`/admin/users/${b.id}/revoke-admin`), cb.get(`/admin/users/${a.id}/revoke-admin`)]);
      const token = (html: string) => html.match(/name="_csrf" value="([^"]+)"/)![1]!;
      const results = await Promise.all([
        ca.postRaw(`/admin/users/${b.id}/revoke-admin`, { _csrf: token(pages[0]!.html) }),
        cb.postRaw(`/admin/users/${a.id}/revoke-admin`, { _csrf: token(pages[1]!.html) }),
      ]);
      const admins = await db("users").where({ is_site_admin: true });
      assert.equal(admins.length, 1, `round ${round}: ${results.map((r) => r.status)}`);
      // The winner revoked the other, and the other was refused (or, having lost its rights, found nothing).
      assert.deepEqual(results.map((r) => r.status).sort(), [302, results.some((r) => r.status === 409) ? 409 : 404].sort());
    }
  });

  it("two admins suspending each other at the same moment: one of them stays", async () => {
    const a = await buildAdmin();
    const b = await buildAdmin();
    const [ca, cb] = await Promise.all([loginAs(t.baseUrl, a), loginAs(t.baseUrl, b)]);
    const pages = await Promise.all([ca.get(`/admin/users/${b.id}/suspend`), cb.get(`/admin/users/${a.id}/suspend`)]);
    const token = (html: string) => html.match(/name="_csrf" value="([^"]+)"/)![1]!;
    await Promise.all([
      ca.postRaw(`/admin/users/${b.id}/suspend`, { _csrf: token(pages[0]!.html) }),
      cb.postRaw(`/admin/users/${a.id}/suspend`, { _csrf: token(pages[1]!.html) }),
    ]);
    assert.equal((await db("users").where({ is_site_admin: true }).whereNull("suspended_at")).length, 1);
  });
});
