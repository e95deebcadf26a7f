import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { fieldError, inputValue, TestClient, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { addMember, buildOrg, roleOf } from "../../../helpers/orgs";
import { db } from "../../../../src/db/knex";
import { findOrganizationBySlug } from "../../../../src/db/organizations";
import { saveEmailPreferences } from "../../../../src/services/notification-preferences";
import { ageRecentAuth } from "../../../helpers/two-factor";

describe("organizations: create, view, settings, delete", () => {
  const t = useTestApp();

  it("creates an organization with its creator as owner", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/orgs/new", { name: "Acme Platform", slug: "acme" });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/orgs/acme");
    const org = await findOrganizationBySlug("ACME");
    assert.equal(org?.name, "Acme Platform");
    assert.equal(await roleOf(org!, user), "owner");
    const page = await client.get("/orgs/acme");
    assert.equal(page.status, 200);
    assert.match(page.html, /Created Acme Platform/);
    const home = await client.get("/");
    assert.match(home.html, /href="\/orgs\/acme"/);
  });

  it("refuses bad or taken slugs with 422, the message beside the field and the values kept", async () => {
    const user = await buildUser({ username: "taken-name" });
    const other = await buildUser();
    await buildOrg(other, { slug: "Existing" });
    const client = await loginAs(t.baseUrl, user);
    const cases: [string, RegExp][] = [
      ["TAKEN-NAME", /taken by a user or an organization/],
      ["existing", /taken by a user or an organization/],
      ["-bad-", /letters, digits and single hyphens/i],
      ["settings", /reserved/],
      ["", /Choose a name/],
    ];
    for (const [slug, message] of cases) {
      const res = await client.submit("/orgs/new", { name: "My org", slug });
      assert.equal(res.status, 422, slug);
      assert.match(fieldError(res.html, "slug") ?? "", message, slug);
      assert.equal(inputValue(res.html, "name"), "My org");
    }
    const noName = await client.submit("/orgs/new", { name: " ", slug: "fine-slug" });
    assert.equal(noName.status, 422);
    assert.equal(fieldError(noName.html, "name"), "Enter a name.");
    assert.equal(inputValue(noName.html, "slug"), "fine-slug");
  });

  it("keeps usernames and slugs in one namespace in the database too", async () => {
    const user = await buildUser();
    await buildOrg(user, { slug: "shared-name" });
    await assert.rejects(buildUser({ username: "Shared-Name" }), (err: { code?: string; constraint?: string }) => err.code === "23505" && err.constraint === "users_username_unique");
    await assert.rejects(buildOrg(user, { slug: user.username.toUpperCase() }), (err: { code?: string; constraint?: string }) => err.code === "23505" && err.constraint === "organizations_slug_unique");
    // Signing up with an organization's slug is answered like any taken username.
    const visitor = new TestClient(t.baseUrl);
    const res = await visitor.submit("/signup", { username: "shared-name", email: "new-person@example.test", password: "a long enough passphrase here" });
    assert.equal(res.status, 422);
    assert.match(fieldError(res.html, "username") ?? "", /taken/);
  });

  it("refuses an organization without an owner at the end of the creating transaction", async () => {
    await assert.rejects(db("organizations").insert({ slug: "ownerless", name: "Ownerless" }), (err: { constraint?: string }) => err.constraint === "organizations_keep_an_owner");
  });

  it("sends signed-out visitors to sign in, and refuses forms without the CSRF token", async () => {
    const user = await buildUser();
    const org = await buildOrg(user);
    const visitor = new TestClient(t.baseUrl);
    const res = await visitor.get(`/orgs/${org.slug}`);
    assert.equal(res.status, 302);
    assert.match(res.location!, /^\/login\?next=/);
    const client = await loginAs(t.baseUrl, user);
    const forged = await client.postRaw("/orgs/new", { _csrf: "forged", name: "X", slug: "xyz" });
    assert.equal(forged.status, 403);
    assert.equal(await findOrganizationBySlug("xyz"), undefined);
  });

  it("answers 404 to outsiders on every organization page, as for an organization that does not exist", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const outsider = await loginAs(t.baseUrl, await buildUser());
    for (const path of ["", "/members", "/teams", "/invitations", "/settings", "/leave", "/teams/1", "/members/1/remove"]) {
      const res = await outsider.get(`/orgs/${org.slug}${path}`);
      assert.equal(res.status, 404, path);
      const missing = await outsider.get(`/orgs/no-such-org${path}`);
      assert.equal(missing.status, 404, path);
    }
    const page = await outsider.get("/");
    const token = pageCsrfToken(page.html);
    for (const path of ["/settings", "/delete", "/invitations", "/teams", "/leave"]) {
      const res = await outsider.postRaw(`/orgs/${org.slug}${path}`, { _csrf: token, name: "Hacked", slug: "hacked", confirm_slug: org.slug, email: "x@example.test", role: "member" });
      assert.equal(res.status, 404, path);
    }
    assert.ok(await findOrganizationBySlug(org.slug));
  });

  it("answers 403 to members without the role", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const member = await buildUser();
    const admin = await buildUser();
    await addMember(org, member, "member");
    await addMember(org, admin, "admin");
    const m = await loginAs(t.baseUrl, member);
    for (const path of ["/invitations", "/settings"]) assert.equal((await m.get(`/orgs/${org.slug}${path}`)).status, 403, path);
    assert.equal((await m.get(`/orgs/${org.slug}/members`)).status, 200);
    assert.equal((await m.get(`/orgs/${org.slug}/teams`)).status, 200);
    const a = await loginAs(t.baseUrl, admin);
    assert.equal((await a.get(`/orgs/${org.slug}/invitations`)).status, 200);
    assert.equal((await a.get(`/orgs/${org.slug}/settings`)).status, 403);
    const overview = await a.get(`/orgs/${org.slug}`);
    const token = overview.html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? pageCsrfToken((await a.get("/")).html);
    const del = await a.postRaw(`/orgs/${org.slug}/delete`, { _csrf: token, confirm_slug: org.slug });
    assert.equal(del.status, 403);
    assert.ok(await findOrganizationBySlug(org.slug));
    // The navigation only offers what the role allows.
    assert.doesNotMatch(overview.html, new RegExp(`href="/orgs/${org.slug}/settings"`));
    assert.match(overview.html, new RegExp(`href="/orgs/${org.slug}/invitations"`));
  });

  it("lets owners rename the organization and change its slug", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug: "old-slug" });
    const client = await loginAs(t.baseUrl, owner);
    const settings = await client.get("/orgs/old-slug/settings");
    assert.match(settings.html, /old links and bookmarks stop working/);
    const res = await client.submit("/orgs/old-slug/settings", { name: "New Name", slug: "new-slug" });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/orgs/new-slug/settings");
    assert.equal((await findOrganizationBySlug("new-slug"))?.id, org.id);
    assert.equal((await client.get("/orgs/old-slug")).status, 404);
    await buildUser({ username: "someone" });
    const taken = await client.submit("/orgs/new-slug/settings", { name: "New Name", slug: "someone" });
    assert.equal(taken.status, 422);
    assert.match(fieldError(taken.html, "slug") ?? "", /taken/);
  });

  it("deletes the organization only with its exact slug after a fresh sign-in, and mails every member", async () => {
    const owner = await buildUser({ username: "ender" });
    const member = await buildUser();
    const admin = await buildUser();
    const org = await buildOrg(owner, { slug: "doomed", name: "Doomed Inc" });
    await addMember(org, member, "member");
    await addMember(org, admin, "admin");
    // Organization mail turned off does not hold back this one.
    await saveEmailPreferences(member.id, { organization: false, product: false });
    const client = await loginAs(t.baseUrl, owner);
    const wrong = await client.submit("/orgs/doomed/settings", { confirm_slug: "doomd" }, "/orgs/doomed/delete");
    assert.equal(wrong.status, 422);
    assert.match(fieldError(wrong.html, "confirm_slug") ?? "", /Type doomed to confirm/);
    assert.match(wrong.html, /name="confirm_slug"[^>]*value="doomd"/);
    const shouted = await client.submit("/orgs/doomed/settings", { confirm_slug: "DOOMED" }, "/orgs/doomed/delete");
    assert.equal(shouted.status, 422, "the slug is typed exactly");
    assert.ok(await findOrganizationBySlug("doomed"));

    // An old sign-in is asked to prove itself again first; the form's answer is not even looked at.
    await ageRecentAuth(owner.id, 11 * 60_000);
    const stale = await client.submit("/orgs/doomed/settings", { confirm_slug: "doomed" }, "/orgs/doomed/delete");
    assert.equal(stale.status, 303);
    assert.equal(stale.location, "/settings/reauthenticate?returnTo=%2Forgs%2Fdoomed%2Fsettings");
    assert.ok(await findOrganizationBySlug("doomed"));
    const again = await client.submit(stale.location!, { method: "password", password: owner.password, returnTo: "/orgs/doomed/settings" }, "/settings/reauthenticate");
    assert.equal(again.location, "/orgs/doomed/settings");

    const ok = await client.submit("/orgs/doomed/settings", { confirm_slug: "doomed" }, "/orgs/doomed/delete");
    assert.equal(ok.status, 302);
    assert.equal(await findOrganizationBySlug("doomed"), undefined);
    assert.equal((await db("memberships").where({ organization_id: org.id })).length, 0);
    assert.match((await client.get(ok.location!)).html, /Deleted the organization Doomed Inc/);
    for (const who of [owner, member, admin]) {
      const mail = await t.mailbox.waitFor(who.email, (m) => /The organization Doomed Inc was deleted/.test(m.subject));
      assert.match(mail.text, new RegExp(`Hi ${who.username},`));
      assert.match(mail.text, /ender deleted the organization Doomed Inc \(\/orgs\/doomed\)/);
      assert.match(mail.text, new RegExp(`${t.baseUrl}/settings/organizations`));
    }
  });

  it("mails nobody when the deletion is refused", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug: "kept" });
    const admin = await buildUser();
    await addMember(org, admin, "admin");
    const a = await loginAs(t.baseUrl, admin);
    const page = await a.get("/orgs/kept/members");
    const refused = await a.postRaw("/orgs/kept/delete", { _csrf: pageCsrfToken(page.html), confirm_slug: "kept" });
    assert.equal(refused.status, 403);
    assert.ok(await findOrganizationBySlug("kept"));
    assert.equal((await db("outbound_mails")).length, 0);
  });

  it("lists the user's organizations in settings with OWNER and ADMIN badges and a Leave button", async () => {
    const user = await buildUser();
    const other = await buildUser();
    await buildOrg(user, { slug: "mine", name: "Mine" });
    const theirs = await buildOrg(other, { slug: "theirs", name: "Theirs" });
    const third = await buildOrg(other, { slug: "third", name: "Third" });
    await addMember(theirs, user, "admin");
    await addMember(third, user, "member");
    const client = await loginAs(t.baseUrl, user);
    const page = await client.get("/settings/organizations");
    assert.equal(page.status, 200);
    assert.match(page.html, /Mine<\/strong><\/a>\s*<span class="badge badge--accent">Owner<\/span>/);
    assert.match(page.html, /Theirs<\/strong><\/a>\s*<span class="badge badge--success">Admin<\/span>/);
    assert.match(page.html, /Third<\/strong><\/a>\s*<\/div>/);
    assert.match(page.html, /href="\/orgs\/third\/leave\?from=settings"/);
    assert.match(page.html, /href="\/settings\/organizations" aria-current="page"/);
  });
});
