import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { ageRecentAuth } from "../../../helpers/two-factor";
import { TestClient, fieldError, inputValue, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { linkIn } from "../../../helpers/mailbox";
import { db } from "../../../../src/db/knex";
import { findUserById } from "../../../../src/db/users";

/** The path of a link, for posting its form with the test client. */
const pathOf = (url: string) => new URL(url).pathname;

/**
 * Uses a link that should no longer work: its page says so with no button, and posting it anyway
 * (with a CSRF token from another form, as its own page has none) answers what it answers.
 */
async function postDeadLink(client: TestClient, path: string) {
  const page = await client.get(path);
  assert.equal(page.status, 410);
  assert.doesNotMatch(page.html, /Confirm email address<\/button>/);
  const form = await client.get("/password/forgot");
  return client.postRaw(path, { _csrf: pageCsrfToken(form.html) });
}

describe("changing the email address", () => {
  const t = useTestApp();

  async function requestChange(client: TestClient, email: string, password: string) {
    return client.submit("/settings/account", { email, current_password: password }, "/settings/account/email");
  }

  it("mails a link to the new address and a notice to the old one, and changes only when confirmed", async () => {
    const user = await buildUser({ username: "mover", email: "old@example.test" });
    const client = await loginAs(t.baseUrl, user);
    const res = await requestChange(client, "New@Example.test", user.password);
    assert.equal(res.status, 302);
    assert.equal(res.location, "/settings/account");
    const page = await client.get("/settings/account");
    assert.match(page.html, /We sent a confirmation link to New@Example\.test/);
    assert.match(page.html, /Change pending:/);
    assert.match(page.html, /action="\/settings\/account\/email\/cancel"/);
    assert.doesNotMatch(page.html, /action="\/settings\/account\/email"/);

    const notice = await t.mailbox.waitFor("old@example.test", (m) => /change of your Gatehouse email/.test(m.subject));
    assert.match(notice.text, /New@Example\.test/);
    assert.doesNotMatch(notice.text, /\/email\/confirm\//);
    const mail = await t.mailbox.waitFor("new@example.test", (m) => /Confirm your new email/.test(m.subject));
    const link = linkIn(mail, "/email/confirm/");
    assert.ok(link.startsWith(t.baseUrl));
    assert.equal((await findUserById(user.id))!.email, "old@example.test", "nothing changes before the link is followed");

    // The GET only shows a button (mail scanners fetch links); the POST confirms.
    assert.equal((await client.get(pathOf(link))).status, 200);
    assert.equal((await findUserById(user.id))!.email, "old@example.test");
    const confirmed = await client.submit(pathOf(link), {});
    assert.equal(confirmed.status, 302);
    assert.equal(confirmed.location, "/settings/account");
    const after = await client.get("/settings/account");
    assert.match(after.html, /Your email address is now New@Example\.test\./);
    assert.doesNotMatch(after.html, /Change pending:/);
    const row = (await findUserById(user.id))!;
    assert.equal(row.email, "New@Example.test");
    assert.ok(row.email_confirmed_at);

    // The link is single use.
    const replay = await postDeadLink(new TestClient(t.baseUrl), pathOf(link));
    assert.equal(replay.status, 410);
    const actions = (await db("security_events").where({ user_id: user.id }).orderBy("id")).map((e) => e.action);
    assert.deepEqual(actions.filter((a) => a.startsWith("email.")), ["email.change_requested", "email.changed"]);
    // Signing in with the new address works.
    await loginAs(t.baseUrl, { username: "new@example.test", password: user.password });
  });

  it("works from a signed-out browser too", async () => {
    const user = await buildUser({ email: "away-old@example.test" });
    const client = await loginAs(t.baseUrl, user);
    await requestChange(client, "away-new@example.test", user.password);
    const link = linkIn(await t.mailbox.waitFor("away-new@example.test"), "/email/confirm/");
    const res = await new TestClient(t.baseUrl).submit(pathOf(link), {});
    assert.equal(res.status, 302);
    assert.equal(res.location, "/login");
    assert.equal((await findUserById(user.id))!.email, "away-new@example.test");
  });

  it("answers a taken address exactly like a free one, mails its owner no link, and never changes", async () => {
    const owner = await buildUser({ username: "holder", email: "taken@example.test" });
    const user = await buildUser({ username: "asker", email: "asker@example.test" });
    const client = await loginAs(t.baseUrl, user);
    const free = await requestChange(client, "free@example.test", user.password);
    const freePage = await client.get("/settings/account");
    await client.submit("/settings/account", {}, "/settings/account/email/cancel");
    await client.get("/settings/account");
    const taken = await requestChange(client, "taken@example.test", user.password);
    const takenPage = await client.get("/settings/account");
    assert.equal(taken.status, free.status);
    assert.equal(taken.location, free.location);
    const normalise = (html: string) => html.replace(/free@example\.test|taken@example\.test/gi, "ADDRESS").replace(/name="_csrf" value="[^"]+"/g, "");
    assert.equal(normalise(takenPage.html), normalise(freePage.html));

    // The old address gets its notice either way; the holder gets a notice without any link.
    await t.mailbox.waitFor("asker@example.test", (m) => /taken@example\.test/.test(m.text));
    const toHolder = await t.mailbox.waitFor("taken@example.test");
    assert.doesNotMatch(toHolder.text, /\/email\/confirm\//);
    assert.doesNotMatch(toHolder.text, /asker/);
    assert.equal((await findUserById(user.id))!.email, "asker@example.test");
    assert.equal((await findUserById(owner.id))!.email, "taken@example.test");
  });

  it("refuses the change when the address was taken before the link is followed", async () => {
    const user = await buildUser({ email: "slow@example.test" });
    const rival = await buildUser({ email: "rival@example.test" });
    const client = await loginAs(t.baseUrl, user);
    const rivalClient = await loginAs(t.baseUrl, rival);
    await requestChange(client, "contested@example.test", user.password);
    await requestChange(rivalClient, "contested@example.test", rival.password);
    const rivalLink = linkIn(await t.mailbox.waitFor("contested@example.test", (m) => m.text.includes("Hi " + rival.username)), "/email/confirm/");
    const userLink = linkIn(await t.mailbox.waitFor("contested@example.test", (m) => m.text.includes("Hi " + user.username)), "/email/confirm/");
    assert.equal((await rivalClient.submit(pathOf(rivalLink), {})).status, 302);
    assert.equal((await client.submit(pathOf(userLink), {})).status, 410);
    assert.equal((await findUserById(user.id))!.email, "slow@example.test");
    assert.equal((await findUserById(rival.id))!.email, "contested@example.test");
  });

  it("cancels a pending change, and the link then fails", async () => {
    const user = await buildUser({ email: "stay@example.test" });
    const client = await loginAs(t.baseUrl, user);
    await requestChange(client, "gone@example.test", user.password);
    const link = linkIn(await t.mailbox.waitFor("gone@example.test"), "/email/confirm/");
    const res = await client.submit("/settings/account", {}, "/settings/account/email/cancel");
    assert.equal(res.status, 302);
    const page = await client.get("/settings/account");
    assert.match(page.html, /The email change was cancelled/);
    assert.doesNotMatch(page.html, /Change pending:/);
    assert.equal((await postDeadLink(client, pathOf(link))).status, 410);
    assert.equal((await findUserById(user.id))!.email, "stay@example.test");
  });

  it("is cancelled by a password reset", async () => {
    const user = await buildUser({ email: "reset-me@example.test" });
    const client = await loginAs(t.baseUrl, user);
    await requestChange(client, "hijack@example.test", user.password);
    const link = linkIn(await t.mailbox.waitFor("hijack@example.test"), "/email/confirm/");
    await new TestClient(t.baseUrl).submit("/password/forgot", { email: "reset-me@example.test" });
    const resetLink = linkIn(await t.mailbox.waitFor("reset-me@example.test", (m) => /reset/i.test(m.subject) && /\/password\/reset\//.test(m.text)), "/password/reset/");
    const newPassword = "a brand new passphrase";
    const reset = await new TestClient(t.baseUrl).submit(pathOf(resetLink), { password: newPassword, password_confirmation: newPassword });
    assert.equal(reset.status, 302);
    assert.equal((await postDeadLink(new TestClient(t.baseUrl), pathOf(link))).status, 410);
    assert.equal((await findUserById(user.id))!.email, "reset-me@example.test");
  });

  it("checks the form: address, same address; a stale session is asked to confirm it's you first", async () => {
    const user = await buildUser({ email: "check@example.test" });
    const client = await loginAs(t.baseUrl, user);
    const invalid = await requestChange(client, "not-an-address", user.password);
    assert.equal(invalid.status, 422);
    assert.match(fieldError(invalid.html, "email")!, /valid email address/);
    assert.equal(inputValue(invalid.html, "email"), "not-an-address");
    const same = await requestChange(client, "CHECK@example.test", user.password);
    assert.equal(same.status, 422);
    assert.equal(fieldError(same.html, "email"), "That is already your email address.");
    await ageRecentAuth(user.id, 11 * 60_000);
    const stale = await requestChange(client, "other@example.test", user.password);
    assert.equal(stale.status, 303);
    assert.equal(stale.location, "/settings/reauthenticate?returnTo=%2Fsettings%2Faccount");
    assert.equal(await db("email_codes").where({ user_id: user.id, purpose: "email_change" }).first(), undefined);
    assert.equal(t.mailbox.messages.length, 0);
  });

  it("lets a password-less account change its address after a fresh proof of identity", async () => {
    // Provider-only accounts have no password; sign in with one, then remove it.
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await db("users").where({ id: user.id }).update({ password_hash: null });
    const page = await client.get("/settings/account");
    assert.match(page.html, /action="\/settings\/account\/email"/);
    assert.equal((await requestChange(client, "x@example.test", "")).status, 302);
    assert.ok(await db("email_codes").where({ user_id: user.id, purpose: "email_change" }).first());
  });

  it("requires sign-in and the CSRF token", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const forged = await client.postRaw("/settings/account/email", { email: "csrf@example.test", current_password: user.password });
    assert.equal(forged.status, 403);
    const anon = await new TestClient(t.baseUrl).get("/settings/account");
    assert.equal(anon.status, 302);
    assert.match(anon.location!, /^\/login\?next=%2Fsettings%2Faccount/);
  });
});
