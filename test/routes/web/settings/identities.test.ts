import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { insertIdentity, listIdentitiesForUser } from "../../../../src/db/identities";
import { findUserByEmail } from "../../../../src/db/users";
import { hashToken, randomToken } from "../../../../src/lib/tokens";
import { replaceEmailCode } from "../../../../src/db/email-codes";
import { useTestApp } from "../../../helpers/app";
import { TestClient, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { followCallback, startProviderFlow, useProviderEmulators, viaProvider } from "../../../helpers/providers";

function flashIn(html: string): string {
  return [...html.matchAll(/class="flash flash--\w+"[^>]*>([^<]*)</g)].map((m) => m[1]!.trim()).join(" | ");
}

describe("linked identities settings", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);

  it("links a second provider from settings, records it and sends a security notice", async () => {
    const user = await buildUser({ username: "linker", email: "linker@example.test" });
    const client = await loginAs(t.baseUrl, user);
    const res = await viaProvider(client, emu.byName.github, { login: "linker-gh", email: "other@example.test", emailVerified: true }, { page: "/settings/identities", intent: "link" });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/settings/identities");
    const page = await client.get("/settings/identities");
    assert.match(flashIn(page.html), /GitHub account linker-gh is now connected/);
    assert.match(page.html, /<strong>GitHub<\/strong> <span class="identity-list__account">linker-gh<\/span>/);
    assert.match(page.html, /Connected <time datetime="\d{4}-/);
    assert.doesNotMatch(page.html, /Connect GitHub/, "a linked provider is not offered again");
    assert.match(page.html, /Connect GitLab/);
    const [event] = await db("security_events").where({ user_id: user.id, action: "identity.linked" });
    assert.deepEqual(event?.details, { provider: "github", account: "linker-gh" });
    const mail = await t.mailbox.waitFor("linker@example.test", (m) => /GitHub was connected/.test(m.subject));
    assert.match(mail.text, /"linker-gh" was just connected/);
    assert.match(mail.text, /\/settings\/identities/);
  });

  it("refuses to link an identity that belongs to another account, and leaves it where it is", async () => {
    const first = new TestClient(t.baseUrl);
    await viaProvider(first, emu.byName.gitlab, { login: "shared-gl", email: "first@example.test", emailVerified: true });
    const firstUser = (await findUserByEmail("first@example.test"))!;
    const other = await buildUser({ username: "second" });
    const client = await loginAs(t.baseUrl, other);
    const res = await viaProvider(client, emu.byName.gitlab, { login: "shared-gl" }, { page: "/settings/identities", intent: "link" });
    assert.equal(res.location, "/settings/identities");
    const page = await client.get("/settings/identities");
    assert.match(flashIn(page.html), /already connected to another Gatehouse account/);
    assert.deepEqual(await listIdentitiesForUser(other.id), []);
    assert.equal((await listIdentitiesForUser(firstUser.id)).length, 1);
  });

  it("does not let an unconfirmed account start linking (trojan identifier)", async () => {
    const squatter = await buildUser({ username: "unconfirmed", email: "victim@example.test", confirmed: false });
    const client = await loginAs(t.baseUrl, squatter);
    const page = await client.get("/");
    const token = pageCsrfToken(page.html);
    const res = await client.postRaw("/auth/github", { _csrf: token, intent: "link" });
    assert.equal(res.status, 403);
    assert.match(res.html, /Confirm your email/);
    assert.equal((await client.get("/settings/identities")).status, 403);
    assert.deepEqual(await listIdentitiesForUser(squatter.id), []);
  });

  it("a link flow that comes back to a different session is void", async () => {
    const user = await buildUser({ username: "switcher" });
    const client = await loginAs(t.baseUrl, user);
    const authorize = await startProviderFlow(client, "google", "/settings/identities", "link");
    const callback = await emu.byName.google.decide(authorize, "approve", { login: "switched", email: "switched@example.test", emailVerified: true });
    await client.submit("/settings/identities", {}, "/logout");
    const res = await followCallback(client, callback);
    assert.equal(res.status, 400);
    assert.deepEqual(await listIdentitiesForUser(user.id), []);
  });

  it("disconnects after a confirmation page, records it and sends a notice", async () => {
    const user = await buildUser({ username: "unlinker", email: "unlinker@example.test" });
    const identity = await insertIdentity({ user_id: user.id, provider: "atlassian", provider_user_id: "acc-1", provider_username: "unlinker.atl", avatar_url: null });
    const client = await loginAs(t.baseUrl, user);
    const confirm = await client.get(`/settings/identities/${identity.id}/delete`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.html, /Disconnect Atlassian account unlinker.atl\?/);
    assert.match(confirm.html, /class="button button--danger">Disconnect Atlassian/);
    const res = await client.submit(`/settings/identities/${identity.id}/delete`, {});
    assert.equal(res.status, 302);
    assert.match(flashIn((await client.get("/settings/identities")).html), /Atlassian was disconnected/);
    assert.deepEqual(await listIdentitiesForUser(user.id), []);
    assert.equal((await db("security_events").where({ user_id: user.id, action: "identity.unlinked" })).length, 1);
    const mail = await t.mailbox.waitFor("unlinker@example.test", (m) => /disconnected/.test(m.subject));
    assert.match(mail.text, /"unlinker.atl" was just disconnected/);
  });

  it("never disconnects the last way to sign in; a password or a second identity counts", async () => {
    const client = new TestClient(t.baseUrl);
    await viaProvider(client, emu.byName.google, { login: "only-google", email: "only@example.test", emailVerified: true });
    const user = (await findUserByEmail("only@example.test"))!;
    const [google] = await listIdentitiesForUser(user.id);
    const page = await client.get("/settings/identities");
    assert.match(page.html, /This is your only way to sign in/);
    assert.doesNotMatch(page.html, /href="\/settings\/identities\/\d+\/delete"/);
    // The page offers no button; a hand-made POST is refused by the server all the same.
    const csrf = pageCsrfToken(page.html);
    const refused = await client.postRaw(`/settings/identities/${google!.id}/delete`, { _csrf: csrf });
    assert.equal(refused.status, 302);
    assert.match(flashIn((await client.get("/settings/identities")).html), /only way to sign in/);
    assert.equal((await listIdentitiesForUser(user.id)).length, 1);

    await viaProvider(client, emu.byName.github, { login: "only-gh" }, { page: "/settings/identities", intent: "link" });
    const allowed = await client.submit(`/settings/identities/${google!.id}/delete`, {});
    assert.equal(allowed.status, 302);
    const left = await listIdentitiesForUser(user.id);
    assert.deepEqual(left.map((i) => i.provider), ["github"]);
    const second = await client.postRaw(`/settings/identities/${left[0]!.id}/delete`, { _csrf: csrf });
    assert.equal(second.status, 302);
    assert.equal((await listIdentitiesForUser(user.id)).length, 1, "the new last one stays");

    const withPassword = await buildUser({ username: "has-password" });
    const only = await insertIdentity({ user_id: withPassword.id, provider: "github", provider_user_id: "gh-9", provider_username: "pw-gh", avatar_url: null });
    const pwClient = await loginAs(t.baseUrl, withPassword);
    await pwClient.submit(`/settings/identities/${only.id}/delete`, {});
    assert.deepEqual(await listIdentitiesForUser(withPassword.id), []);
  });

  it("answers 404 for someone else's identity, asks signed-out visitors to sign in, and wants the CSRF token", async () => {
    const owner = await buildUser({ username: "owner" });
    const theirs = await insertIdentity({ user_id: owner.id, provider: "gitlab", provider_user_id: "gl-1", provider_username: "owner-gl", avatar_url: null });
    const intruder = await buildUser({ username: "intruder" });
    const client = await loginAs(t.baseUrl, intruder);
    assert.equal((await client.get(`/settings/identities/${theirs.id}/delete`)).status, 404);
    const token = pageCsrfToken((await client.get("/settings/identities")).html);
    assert.equal((await client.postRaw(`/settings/identities/${theirs.id}/delete`, { _csrf: token })).status, 404);
    assert.equal((await client.postRaw(`/settings/identities/${theirs.id}/delete`, { _csrf: "forged" })).status, 403);
    assert.equal((await listIdentitiesForUser(owner.id)).length, 1);

    const anonymous = await new TestClient(t.baseUrl).get("/settings/identities");
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.location!, /^\/login\?next=%2Fsettings%2Fidentities/);
  });

  it("lists the linked identities on the password reset page for review", async () => {
    const user = await buildUser({ username: "resetter" });
    await insertIdentity({ user_id: user.id, provider: "github", provider_user_id: "gh-77", provider_username: "suspicious-gh", avatar_url: null });
    const token = randomToken();
    await replaceEmailCode({ user_id: user.id, purpose: "password_reset", token_hash: hashToken(token), email: user.email, expires_at: new Date(Date.now() + 3600_000) });
    const page = await new TestClient(t.baseUrl).get(`/password/reset/${token}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /Linked identities/);
    assert.match(page.html, /<strong>GitHub<\/strong> <span class="identity-list__account">suspicious-gh<\/span>/);
  });
});
