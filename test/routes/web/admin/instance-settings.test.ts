import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { findUserByEmail } from "../../../../src/db/users";
import { useTestApp } from "../../../helpers/app";
import { TestClient, fieldError } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { linkIn } from "../../../helpers/mailbox";
import { buildOrg } from "../../../helpers/orgs";
import { useProviderEmulators, viaProvider } from "../../../helpers/providers";
import { auditEntries, buildAdmin } from "../../../helpers/admin";
import { InstanceSettings } from "../../../../src/services/instance-settings";

const DEFAULTS = {
  signup_mode: "open", signup_email_domains: "", shown_providers: ["github", "gitlab", "atlassian", "google"],
  password_min_length: "12", session_idle_minutes: "30", session_max_hours: "12", remembered_session_days: "30",
};

/** Saves the settings form with `changes` over the defaults; returns the answer. */
async function save(client: TestClient, changes: Record<string, string | string[]>) {
  const page = await client.get("/admin/settings");
  const token = page.html.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const body = new URLSearchParams({ _csrf: token });
  for (const [k, v] of Object.entries({ ...DEFAULTS, ...changes })) for (const one of [v].flat()) body.append(k, one);
  return client.request("POST", "/admin/settings", body.toString());
}

function signupFields(username: string, email: string, password = "a perfectly long passphrase") {
  return { username, email, password };
}

describe("admin: instance settings take effect", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);

  it("sign-up closed: the page says so and POST /signup and provider sign-up are refused", async () => {
    const admin = await buildAdmin({ username: "root" });
    const client = await loginAs(t.baseUrl, admin);
    assert.equal((await save(client, { signup_mode: "closed" })).status, 302);
    const visitor = new TestClient(t.baseUrl);
    const page = await visitor.get("/signup");
    assert.match(page.html, /Sign-up is closed/);
    assert.doesNotMatch(page.html, /action="\/signup"/);
    const body = new URLSearchParams({ _csrf: (await visitor.get("/login")).html.match(/name="_csrf" value="([^"]+)"/)![1]!, ...signupFields("newbie", "newbie@example.test") });
    const refused = await visitor.request("POST", "/signup", body.toString());
    assert.equal(refused.status, 403);
    assert.match(refused.html, /Sign-up is closed/);
    assert.equal(await findUserByEmail("newbie@example.test"), undefined);
    const viaGithub = await viaProvider(new TestClient(t.baseUrl), emu.byName.github, { login: "gh-new", email: "gh-new@example.test", emailVerified: true });
    assert.equal(viaGithub.status, 403);
    assert.match(viaGithub.html, /Sign-up is closed/);
    assert.equal(await findUserByEmail("gh-new@example.test"), undefined);
    // Existing accounts still sign in.
    await loginAs(t.baseUrl, await buildUser());
    const [entry] = await auditEntries();
    assert.equal(entry!.action, "instance_settings.updated");
    assert.deepEqual(entry!.details, { signup_mode: { from: "open", to: "closed" } });
  });

  it("by invitation only: sign-up works from an invitation to the same address, and only from there", async () => {
    const admin = await buildAdmin();
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug: "acme" });
    assert.equal((await save(await loginAs(t.baseUrl, admin), { signup_mode: "invite_only" })).status, 302);
    const ownerClient = await loginAs(t.baseUrl, owner);
    assert.equal((await ownerClient.submit(`/orgs/${org.slug}/invitations`, { email: "invited@example.test", role: "member" })).status, 302);
    const invitation = new URL(linkIn(await t.mailbox.waitFor("invited@example.test"), "/invitations/")).pathname;

    const stranger = new TestClient(t.baseUrl);
    assert.match((await stranger.get("/signup")).html, /by invitation only/);
    const other = await stranger.submit(`/signup?next=${encodeURIComponent(invitation)}`, { ...signupFields("someone", "someone@example.test"), next: invitation }, "/signup");
    assert.equal(other.status, 403, "an invitation to another address opens nothing");
    assert.equal(await findUserByEmail("someone@example.test"), undefined);

    const invited = new TestClient(t.baseUrl);
    const form = await invited.get(`/signup?next=${encodeURIComponent(invitation)}`);
    assert.match(form.html, /action="\/signup"/);
    const ok = await invited.submit(`/signup?next=${encodeURIComponent(invitation)}`, { ...signupFields("invited", "invited@example.test"), next: invitation }, "/signup");
    assert.equal(ok.status, 200);
    assert.match(ok.html, /Check your email/);
    assert.ok(await findUserByEmail("invited@example.test"));
    const viaGithub = await viaProvider(new TestClient(t.baseUrl), emu.byName.github, { login: "gh-x", email: "gh-x@example.test", emailVerified: true });
    assert.equal(viaGithub.status, 403);
  });

  it("allowed email domains: other addresses are refused beside the field, for passwords and providers", async () => {
    const admin = await buildAdmin();
    const client = await loginAs(t.baseUrl, admin);
    const bad = await save(client, { signup_email_domains: "example.com, not a domain" });
    assert.equal(bad.status, 422);
    assert.match(fieldError(bad.html, "signup_email_domains") ?? "", /domain names like example.com/);
    assert.match(bad.html, /example.com, not a domain/, "what was typed is kept");
    assert.equal((await save(client, { signup_email_domains: "Corp.example, lab.example" })).status, 302);
    const visitor = new TestClient(t.baseUrl);
    const refused = await visitor.submit("/signup", signupFields("outsider", "outsider@gmail.test"));
    assert.equal(refused.status, 422);
    assert.equal(fieldError(refused.html, "email"), "New accounts on this Gatehouse need an address at @corp.example, @lab.example.");
    const ok = await visitor.submit("/signup", signupFields("insider", "insider@LAB.example"));
    assert.equal(ok.status, 200);
    const viaGithub = await viaProvider(new TestClient(t.baseUrl), emu.byName.github, { login: "gh-out", email: "gh-out@gmail.test", emailVerified: true });
    assert.equal(viaGithub.status, 403);
    assert.match(viaGithub.html, /@corp.example/);
    const viaGitlab = await viaProvider(new TestClient(t.baseUrl), emu.byName.gitlab, { login: "gl-in", email: "gl-in@corp.example", emailVerified: true });
    assert.equal(viaGitlab.status, 302);
  });

  it("hidden providers lose their buttons and their routes", async () => {
    const admin = await buildAdmin();
    assert.equal((await save(await loginAs(t.baseUrl, admin), { shown_providers: ["gitlab"] })).status, 302);
    const visitor = new TestClient(t.baseUrl);
    for (const path of ["/login", "/signup"]) {
      const { html } = await visitor.get(path);
      assert.match(html, /action="\/auth\/gitlab"/);
      assert.doesNotMatch(html, /action="\/auth\/github"/, path);
    }
    assert.equal((await visitor.get("/auth/github")).status, 404);
    assert.equal((await visitor.get("/auth/github/callback?code=x&state=y")).status, 404);
    assert.equal((await visitor.get("/auth/gitlab")).status, 200);
  });

  it("the minimum password length applies to sign-up and password changes", async () => {
    const admin = await buildAdmin();
    assert.equal((await save(await loginAs(t.baseUrl, admin), { password_min_length: "20" })).status, 302);
    const visitor = new TestClient(t.baseUrl);
    assert.match((await visitor.get("/signup")).html, /20 to 128 characters/);
    const short = await visitor.submit("/signup", signupFields("shorty", "shorty@example.test", "sixteen chars ok"));
    assert.equal(short.status, 422);
    assert.match(fieldError(short.html, "password") ?? "", /20/);
    const user = await buildUser();
    const c = await loginAs(t.baseUrl, user);
    const change = await c.submit("/settings/password", { current_password: user.password, password: "sixteen chars ok", password_confirmation: "sixteen chars ok" });
    assert.equal(change.status, 422);
  });

  it("session lifetimes apply to new sign-ins", async () => {
    const admin = await buildAdmin();
    const client = await loginAs(t.baseUrl, admin);
    const invalid = await save(client, { session_idle_minutes: "600", session_max_hours: "2" });
    assert.equal(invalid.status, 422);
    assert.match(fieldError(invalid.html, "session_idle_minutes") ?? "", /cannot be longer/);
    // A refused form shows what was typed: a number about passwords is a value like any other.
    const typed = await save(client, { password_min_length: "9999", session_max_hours: "13" });
    assert.equal(typed.status, 422);
    assert.match(fieldError(typed.html, "password_min_length") ?? "", /at most 128/);
    assert.match(typed.html, /name="password_min_length"[^>]*value="9999"/);
    assert.match(typed.html, /name="session_max_hours"[^>]*value="13"/);
    assert.equal((await save(client, { session_idle_minutes: "10", session_max_hours: "2", remembered_session_days: "3" })).status, 302);
    const user = await buildUser();
    await loginAs(t.baseUrl, user);
    await loginAs(t.baseUrl, user, { remember: true });
    const rows = await db("sessions").where({ user_id: user.id }).orderBy("signed_in_at");
    const minutes = (a: Date, b: Date) => Math.round((a.getTime() - b.getTime()) / 60_000);
    assert.equal(minutes(rows[0].expires_at, rows[0].signed_in_at), 10);
    assert.equal(minutes(rows[0].absolute_expires_at, rows[0].signed_in_at), 120);
    assert.equal(minutes(rows[1].expires_at, rows[1].signed_in_at), 3 * 24 * 60);
  });

  it("a suspended account's provider sign-in is refused with the message", async () => {
    const person = { login: "gh-ada", email: "gh-ada@example.test", emailVerified: true };
    assert.equal((await viaProvider(new TestClient(t.baseUrl), emu.byName.github, person)).status, 302);
    const ada = (await findUserByEmail("gh-ada@example.test"))!;
    const admin = await buildAdmin();
    const client = await loginAs(t.baseUrl, admin);
    assert.equal((await client.submit(`/admin/users/${ada.id}/suspend`, { reason: "" })).status, 302);
    const refused = await viaProvider(new TestClient(t.baseUrl), emu.byName.github, person);
    assert.equal(refused.status, 403);
    assert.match(refused.html, /This account is suspended/);
    assert.equal((await db("sessions").where({ user_id: ada.id }).whereNull("ended_at")).length, 0);
  });

  it("another process picks the stored settings up on its next reload", async () => {
    const admin = await buildAdmin();
    assert.equal((await save(await loginAs(t.baseUrl, admin), { signup_mode: "closed", password_min_length: "16" })).status, 302);
    const elsewhere = new InstanceSettings({ instanceSettingsFromEnv: {} });
    assert.equal(elsewhere.current().signupMode, "open", "defaults before it has read anything");
    await elsewhere.ready();
    assert.equal(elsewhere.current().signupMode, "closed");
    assert.equal(elsewhere.current().passwordMinLength, 16);
  });
});

describe("admin: instance settings set by the environment are locked", () => {
  const t = useTestApp({ SIGNUP_MODE: "closed", PASSWORD_MIN_LENGTH: "14" });

  it("shows them locked, refuses to change them, and they win over stored values", async () => {
    await db("instance_settings").insert({ id: 1, signup_mode: "open", password_min_length: 30 });
    const elsewhere = new InstanceSettings(t.config);
    await elsewhere.ready();
    assert.equal(elsewhere.current().signupMode, "closed");
    assert.equal(elsewhere.current().passwordMinLength, 14);
    const admin = await buildAdmin();
    const client = await loginAs(t.baseUrl, admin);
    const page = await client.get("/admin/settings");
    assert.match(page.html, /Set by SIGNUP_MODE/);
    assert.match(page.html, /Set by PASSWORD_MIN_LENGTH/);
    assert.match(page.html, /<fieldset class="checkbox-group" disabled>/);
    assert.match(page.html, /name="password_min_length"[^>]*value="14"[^>]*disabled/);
    assert.match((await new TestClient(t.baseUrl).get("/signup")).html, /Sign-up is closed/);
  });
});
