import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { ageRecentAuth } from "../../../helpers/two-factor";
import { TestClient, fieldError, inputValue } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { db } from "../../../../src/db/knex";
import { findUserById } from "../../../../src/db/users";
import { SESSION_COOKIE } from "../../../../src/http/session";
import { exportedTables } from "../../../../src/services/data-export";
import { buildOrg, buildTeam } from "../../../helpers/orgs";
import { buildAccessToken } from "../../../helpers/tokens";

describe("account settings: username, export, deletion", () => {
  const t = useTestApp();

  describe("username", () => {
    it("changes the username, logs it, and moves the public profile", async () => {
      const user = await buildUser({ username: "old-name" });
      const client = await loginAs(t.baseUrl, user);
      await db("users").where({ id: user.id }).update({ profile_public: true });
      const page = await client.get("/settings/account");
      assert.match(page.html, /changing it changes every URL that contains it/);
      assert.equal(inputValue(page.html, "username"), "old-name");
      const res = await client.submit("/settings/account", { username: "New-Name" }, "/settings/account/username");
      assert.equal(res.status, 302);
      assert.equal(res.location, "/settings/account");
      assert.match((await client.get("/settings/account")).html, /Your username is now New-Name\./);
      assert.equal((await findUserById(user.id))!.username, "New-Name");
      const event = await db("security_events").where({ user_id: user.id, action: "username.changed" }).first();
      assert.deepEqual(event.details, { from: "old-name", to: "New-Name" });
      assert.equal((await new TestClient(t.baseUrl).get("/u/old-name")).status, 404);
      assert.equal((await new TestClient(t.baseUrl).get("/u/new-name")).status, 200);
      // A change of letter case only is allowed.
      const cased = await client.submit("/settings/account", { username: "new-name" }, "/settings/account/username");
      assert.equal(cased.status, 302);
      assert.equal((await findUserById(user.id))!.username, "new-name");
    });

    it("refuses taken, reserved, malformed and unchanged names beside the field", async () => {
      await buildUser({ username: "Taken-Name" });
      const user = await buildUser({ username: "keeper" });
      const client = await loginAs(t.baseUrl, user);
      const cases: [string, RegExp][] = [
        ["taken-name", /That username is taken/],
        ["settings", /reserved/],
        ["-bad-", /letters, digits and single hyphens/],
        ["a".repeat(40), /at most 39 characters/],
        ["", /Choose a name/],
        ["keeper", /already your username/],
      ];
      for (const [username, message] of cases) {
        const res = await client.submit("/settings/account", { username }, "/settings/account/username");
        assert.equal(res.status, 422, username);
        assert.match(fieldError(res.html, "username") ?? "", message, username);
        assert.equal(inputValue(res.html, "username"), username);
      }
      assert.equal((await findUserById(user.id))!.username, "keeper");
    });
  });

  describe("export", () => {
    it("downloads everything held about the user as JSON, without hashes or secrets", async () => {
      const user = await buildUser({ username: "exporter", email: "exporter@example.test" });
      const client = await loginAs(t.baseUrl, user);
      await client.submit("/settings/profile", { display_name: "Ex Porter", bio: "Hello", link_1: "https://ex.example.org/", profile_public: "on" });
      await client.submit("/settings/account", { email: "next@example.test", current_password: user.password }, "/settings/account/email");
      await db("notification_preferences").insert({ user_id: user.id, category: "product", email: true });
      const org = await buildOrg(user, { slug: "export-org", name: "Export Org" });
      await buildTeam(org, "Platform", [{ id: user.id, maintainer: true }]);
      await db("identities").insert({ user_id: user.id, provider: "github", provider_user_id: "4242", provider_username: "ex-gh" });
      const { token } = await buildAccessToken(t.ctx, user, { description: "laptop" });
      const res = await client.submit("/settings/account", {}, "/settings/account/export");
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type")!, /^application\/json/);
      assert.match(res.headers.get("content-disposition")!, /^attachment; filename="?gatehouse-exporter-\d{4}-\d{2}-\d{2}\.json"?$/);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const data = JSON.parse(res.html);
      assert.equal(data.account.username, "exporter");
      assert.equal(data.account.email, "exporter@example.test");
      assert.equal(data.account.has_password, true);
      assert.deepEqual(data.profile.links, ["https://ex.example.org/"]);
      assert.equal(data.profile.display_name, "Ex Porter");
      assert.equal(data.profile.public, undefined);
      assert.equal(data.profile.profile_public, true);
      assert.equal(data.emails.addresses[0].email, "exporter@example.test");
      // The email change, and the "This wasn't me" links of its notice and of the token's notice.
      assert.deepEqual(data.emails.pending_links.map((l: { purpose: string; email: string }) => [l.purpose, l.email]), [
        ["email_change", "next@example.test"],
        ["not_me", "exporter@example.test"],
        ["not_me", "exporter@example.test"],
      ]);
      assert.ok(data.emails.mails_sent.some((m: { subject: string }) => /change of your Gatehouse email/.test(m.subject)));
      assert.equal(data.sessions.length, 1);
      assert.match(data.sessions[0].user_agent, /TestClient/);
      const actions = data.security_events.map((e: { action: string }) => e.action);
      for (const a of ["sign_in", "profile.updated", "email.change_requested", "data.exported"]) assert.ok(actions.includes(a), a);
      assert.deepEqual(data.notification_preferences.effective, { organization: true, product: true });
      assert.deepEqual(data.organizations.memberships.map((m: { organization: string; role: string }) => [m.organization, m.role]), [["export-org", "owner"]]);
      assert.deepEqual(data.organizations.teams.map((m: { team: string; maintainer: boolean }) => [m.team, m.maintainer]), [["Platform", true]]);
      assert.equal(data.identities[0].provider_username, "ex-gh");
      assert.equal(data.access_tokens.tokens[0].description, "laptop");
      assert.ok(!res.html.includes(token), "the access token itself");

      // No secret of any kind: not the password hash, a token hash, the session id or a mailed link.
      const stored = (await findUserById(user.id))!;
      const sid = decodeURIComponent(client.cookie(SESSION_COOKIE)!).slice(2).split(".")[0]!;
      assert.doesNotMatch(res.html, /password_hash|token_hash|"sid"|argon2|\/email\/confirm\//);
      assert.ok(!res.html.includes(stored.password_hash!));
      assert.ok(!res.html.includes(sid));
    });

    it("covers every table that references users", async () => {
      const { rows } = await db.raw<{ rows: { table: string }[] }>(`
        SELECT DISTINCT cl.relname AS table FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid
        WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass ORDER BY 1`);
      const covered = exportedTables();
      const missing = rows.map((r) => r.table).filter((name) => !covered.has(name));
      assert.deepEqual(missing, [], `add an export section for ${missing.join(", ")} in src/services/data-export.ts`);
    });

    it("needs the CSRF token (a POST from another site cannot download it)", async () => {
      const user = await buildUser();
      const client = await loginAs(t.baseUrl, user);
      assert.equal((await client.postRaw("/settings/account/export", {})).status, 403);
      assert.equal((await client.get("/settings/account/export")).status, 404);
    });
  });

  describe("deletion", () => {
    it("refuses a wrong username with a message, asks a stale session to confirm it's you, and deletes nothing", async () => {
      const user = await buildUser({ username: "stayer" });
      const client = await loginAs(t.baseUrl, user);
      const wrongName = await client.submit("/settings/account", { username_confirmation: "stayr", password: user.password }, "/settings/account/delete");
      assert.equal(wrongName.status, 422);
      assert.equal(fieldError(wrongName.html, "username_confirmation"), "That is not your username. Type stayer to confirm.");
      assert.equal(inputValue(wrongName.html, "username_confirmation"), "stayr");
      const empty = await client.submit("/settings/account", { username_confirmation: "" }, "/settings/account/delete");
      assert.equal(empty.status, 422);
      assert.equal(fieldError(empty.html, "username_confirmation"), "Type your username to confirm.");
      await ageRecentAuth(user.id, 11 * 60_000);
      const stale = await client.submit("/settings/account", { username_confirmation: "stayer" }, "/settings/account/delete");
      assert.equal(stale.status, 303);
      assert.equal(stale.location, "/settings/reauthenticate?returnTo=%2Fsettings%2Faccount");
      assert.ok(await findUserById(user.id));
      assert.equal(t.mailbox.messages.length, 0);
    });

    it("deletes the account, mails goodbye, signs out this browser and every other session", async () => {
      const user = await buildUser({ username: "leaver", email: "leaver@example.test" });
      const other = await buildUser({ username: "bystander" });
      const client = await loginAs(t.baseUrl, user);
      const second = await loginAs(t.baseUrl, user);
      const bystander = await loginAs(t.baseUrl, other);
      await client.submit("/settings/account", { email: "leaver-next@example.test", current_password: user.password }, "/settings/account/email");
      await t.mailbox.waitFor("leaver@example.test");

      const page = await client.get("/settings/account");
      assert.match(page.html, /class="button button--danger">Delete my account</);
      const res = await client.submit("/settings/account", { username_confirmation: "LEAVER", password: user.password }, "/settings/account/delete");
      assert.equal(res.status, 302);
      assert.equal(res.location, "/");
      const landing = await client.get("/");
      assert.match(landing.html, /Your account has been deleted\./);
      assert.match(landing.html, /Create an account/);

      assert.equal(await findUserById(user.id), undefined);
      for (const table of ["sessions", "email_codes", "security_events"]) {
        assert.equal((await db(table).where({ user_id: user.id })).length, 0, table);
      }
      const goodbye = await t.mailbox.waitFor("leaver@example.test", (m) => /was deleted/.test(m.subject));
      assert.match(goodbye.text, /leaver/);

      // This browser and the second one are signed out; someone else's session is untouched.
      for (const c of [client, second]) {
        const settings = await c.get("/settings/profile");
        assert.equal(settings.status, 302);
        assert.match(settings.location!, /^\/login/);
      }
      assert.equal((await bystander.get("/settings/profile")).status, 200);
      // The username is free again.
      assert.equal((await new TestClient(t.baseUrl).get("/u/leaver")).status, 404);
    });

    it("lets a password-less account delete itself after a fresh sign-in (its provider is its proof)", async () => {
      const user = await buildUser();
      const client = await loginAs(t.baseUrl, user);
      await db("users").where({ id: user.id }).update({ password_hash: null });
      const page = await client.get("/settings/account");
      assert.match(page.html, /action="\/settings\/account\/delete"/);
      const res = await client.submit("/settings/account", { username_confirmation: user.username }, "/settings/account/delete");
      assert.equal(res.status, 302);
      assert.equal(await findUserById(user.id), undefined);
    });

    it("needs sign-in and the CSRF token", async () => {
      const user = await buildUser();
      const client = await loginAs(t.baseUrl, user);
      assert.equal((await client.postRaw("/settings/account/delete", { username_confirmation: user.username, password: user.password })).status, 403);
      assert.ok(await findUserById(user.id));
    });
  });
});
