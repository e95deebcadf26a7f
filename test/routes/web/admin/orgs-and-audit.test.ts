import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { useTestApp } from "../../../helpers/app";
import { fieldError } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg } from "../../../helpers/orgs";
import { saveEmailPreferences } from "../../../../src/services/notification-preferences";
import { auditEntries, buildAdmin } from "../../../helpers/admin";

describe("admin: organizations and the audit log", () => {
  const t = useTestApp();

  it("lists and searches organizations, shows members, deletes after the slug is typed", async () => {
    const admin = await buildAdmin({ username: "root" });
    const ada = await buildUser({ username: "ada" });
    const org = await buildOrg(ada, { slug: "engines", name: "Analytical Engines" });
    const charles = await buildUser({ username: "charles" });
    await addMember(org, charles, "member");
    // Organization mail turned off does not hold back this one, as when an owner deletes it.
    await saveEmailPreferences(charles.id, { organization: false, product: false });
    await buildOrg(ada, { slug: "looms", name: "Jacquard Looms" });
    const client = await loginAs(t.baseUrl, admin);
    const list = await client.get("/admin/orgs?q=analytical");
    assert.match(list.html, /href="\/admin\/orgs\/engines"/);
    assert.doesNotMatch(list.html, /looms/);
    const page = await client.get("/admin/orgs/engines");
    assert.match(page.html, /href="\/admin\/users\/\d+"><strong>ada<\/strong>/);
    assert.match(page.html, /badge--accent">Owner/);
    assert.equal((await client.get("/admin/orgs/nope")).status, 404);
    const typo = await client.submit("/admin/orgs/engines/delete", { confirm_slug: "engine" });
    assert.equal(typo.status, 422);
    assert.equal(fieldError(typo.html, "confirm_slug"), "Type engines to confirm.");
    const res = await client.submit("/admin/orgs/engines/delete", { confirm_slug: "ENGINES" });
    assert.equal(res.status, 302);
    assert.equal(await db("organizations").where({ id: org.id }).first(), undefined);
    assert.match((await client.get(res.location!)).html, /Analytical Engines \(engines\) was deleted and its members were told by mail/);
    for (const who of [ada, charles]) {
      const mail = await t.mailbox.waitFor(who.email, (m) => /The organization Analytical Engines was deleted/.test(m.subject));
      assert.match(mail.text, /A site administrator deleted the organization Analytical Engines \(\/orgs\/engines\)/);
      assert.doesNotMatch(mail.text, /root/, "the admin is not named");
    }
    assert.equal(t.mailbox.to(admin.email).length, 0, "the admin, not a member, gets none");
    const [entry] = await auditEntries();
    assert.equal(entry!.action, "organization.deleted");
    assert.equal(entry!.target_label, "engines");
  });

  it("records who did what to whom, when and from where, and shows it at /admin/audit", async () => {
    const admin = await buildAdmin({ username: "root" });
    const ada = await buildUser({ username: "ada", confirmed: false });
    const client = await loginAs(t.baseUrl, admin);
    for (const action of ["resend-confirmation", "confirm-email", "sign-out", "grant-admin", "revoke-admin", "suspend", "unsuspend"]) {
      assert.equal((await client.submit(`/admin/users/${ada.id}/${action}`, {})).status, 302, action);
    }
    assert.equal((await client.submit("/admin/users/" + ada.id + "/delete", { username_confirmation: "ada" })).status, 302);
    const entries = await auditEntries();
    assert.deepEqual(entries.map((e) => e.action), [
      "user.confirmation_resent", "user.email_confirmed", "user.signed_out_everywhere", "site_admin.granted", "site_admin.revoked",
      "user.suspended", "user.unsuspended", "user.deleted",
    ]);
    for (const e of entries) {
      assert.equal(e.actor_username, "root");
      assert.equal(e.target_label, "ada");
      assert.equal(e.target_id, ada.id);
      assert.equal(e.ip, "127.0.0.1");
      assert.match(e.user_agent ?? "", /TestClient/);
    }
    const page = await client.get("/admin/audit");
    assert.match(page.html, /<code>user.deleted<\/code>/);
    assert.match(page.html, /<code>site_admin.granted<\/code>/);
    assert.match(page.html, /href="\/admin\/users\/\d+">root<\/a>/);
  });

  it("the log is append-only: the database refuses UPDATE and DELETE, whoever sends them", async () => {
    const admin = await buildAdmin();
    const ada = await buildUser();
    const client = await loginAs(t.baseUrl, admin);
    await client.submit(`/admin/users/${ada.id}/sign-out`, {});
    await assert.rejects(db("admin_audit_events").update({ action: "nothing happened" }), /append-only: UPDATE is not allowed/);
    await assert.rejects(db("admin_audit_events").delete(), /append-only: DELETE is not allowed/);
    await assert.rejects(db.raw("UPDATE admin_audit_events SET actor_username = 'someone else'"), /append-only/);
    assert.equal((await auditEntries()).length, 1);
    // No route edits or removes entries: anything but GET on the log is not an admin page.
    const page = await client.get("/admin/audit");
    const csrf = page.html.match(/name="_csrf" value="([^"]+)"/)![1]!;
    for (const path of ["/admin/audit", "/admin/audit/1/delete"]) assert.equal((await client.postRaw(path, { _csrf: csrf })).status, 404);
    // Deleting the user keeps the entries about them.
    await client.submit(`/admin/users/${ada.id}/delete`, { username_confirmation: ada.username });
    assert.equal((await auditEntries()).length, 2);
  });

  it("pages the log", async () => {
    const admin = await buildAdmin();
    const ada = await buildUser();
    const client = await loginAs(t.baseUrl, admin);
    for (let i = 0; i < 26; i++) await db("admin_audit_events").insert({ actor_id: admin.id, actor_username: admin.username, action: `test.${i}`, target_type: "user", target_id: ada.id, target_label: ada.username });
    for (let i = 0; i < 26; i++) await db("admin_audit_events").insert({ actor_id: admin.id, actor_username: admin.username, action: `more.${i}`, target_type: "user", target_id: ada.id, target_label: ada.username });
    const first = await client.get("/admin/audit");
    assert.match(first.html, /Page 1 of 2/);
    assert.match(first.html, /more.25/);
    assert.match((await client.get("/admin/audit?page=2")).html, /test.0/);
  });
});
