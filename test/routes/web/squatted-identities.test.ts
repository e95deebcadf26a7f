import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { listIdentitiesForUser } from "../../../src/db/identities";
import { findUserByEmail } from "../../../src/db/users";
import { useTestApp } from "../../helpers/app";
import { TestClient, signedInAs } from "../../helpers/client";
import { linkIn } from "../../helpers/mailbox";
import { useProviderEmulators, viaProvider } from "../../helpers/providers";

const VICTIM = "victim@example.test";
const NEW_PASSWORD = "the owner's own passphrase";

describe("an identity attached by someone who typed another person's address", () => {
  const env: Record<string, string> = {};
  const emu = useProviderEmulators(env);
  const t = useTestApp(env);
  const attackerPerson = { login: "mallory", name: "Mallory", email: null, emailVerified: false };

  /** The attacker signs up with GitHub (no verified email) and types the victim's address. */
  async function squat(): Promise<TestClient> {
    const attacker = new TestClient(t.baseUrl);
    const res = await viaProvider(attacker, emu.byName.github, attackerPerson);
    assert.equal(res.location, "/auth/github/email");
    const done = await attacker.submit("/auth/github/email", { email: VICTIM });
    assert.match(done.html, /Check your email/);
    return attacker;
  }

  async function confirmLink(): Promise<string> {
    const mail = await t.mailbox.waitFor(VICTIM, (m) => /Confirm/.test(m.subject));
    return new URL(linkIn(mail, "/email/confirm/")).pathname;
  }

  it("is stored as not vouched for the address, and cannot sign in while the account is unconfirmed", async () => {
    await squat();
    const account = (await findUserByEmail(VICTIM))!;
    const [identity] = await listIdentitiesForUser(account.id);
    assert.equal(identity?.vouched_for_address, false);
    for (const attempt of [new TestClient(t.baseUrl), new TestClient(t.baseUrl)]) {
      const res = await viaProvider(attempt, emu.byName.github, attackerPerson);
      assert.equal(res.status, 403);
      assert.match(res.html, /Confirm your email first/);
      assert.doesNotMatch(res.html, /victim@example\.test/, "the page does not reveal the address");
      assert.equal(await signedInAs(attempt), undefined);
    }
  });

  it("is removed when the address's owner confirms it in their own browser, who then chooses a password", async () => {
    await squat();
    const link = await confirmLink();
    const victim = new TestClient(t.baseUrl);
    const page = await victim.get(link);
    assert.match(page.html, /<strong>GitHub<\/strong> account <strong>mallory<\/strong>/, "the page names what confirming disconnects");
    const res = await victim.submit(link, {});
    assert.equal(res.status, 302);
    assert.match(res.location!, /^\/password\/reset\/[\w-]+$/, "no way in is left, so the owner chooses a password");
    const account = (await findUserByEmail(VICTIM))!;
    assert.ok(account.email_confirmed_at);
    assert.deepEqual(await listIdentitiesForUser(account.id), []);
    const events = await db("security_events").where({ user_id: account.id, action: "identity.unlinked" });
    assert.equal(events.length, 1);
    assert.equal(events[0].details.account, "mallory");
    assert.equal(events[0].details.reason, "not_proven_at_confirmation");

    const form = await victim.get(res.location!);
    assert.match(form.html, /has been disconnected: it was not connected from this browser/);
    const reset = await victim.submit(res.location!, { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, revoke_tokens: "yes" });
    assert.equal(reset.status, 302);
    await victim.submit("/login", { login: VICTIM, password: NEW_PASSWORD });
    assert.equal(await signedInAs(victim), account.username);

    const attacker = new TestClient(t.baseUrl);
    const again = await viaProvider(attacker, emu.byName.github, attackerPerson);
    assert.equal(again.location, "/auth/github/email", "the identity is unknown again: no way into the victim's account");
    assert.equal(await signedInAs(attacker), undefined);
  });

  it("is removed when the address's owner resets the password, even with 'disconnect identities' left unticked", async () => {
    await squat();
    const owner = new TestClient(t.baseUrl);
    await owner.submit("/password/forgot", { email: VICTIM });
    const mail = await t.mailbox.waitFor(VICTIM, (m) => /Reset/.test(m.subject));
    const link = new URL(linkIn(mail, "/password/reset/")).pathname;
    const form = await owner.get(link);
    assert.match(form.html, /mallory<\/span><\/span>\s*<span class="muted">Connected <time[^>]*>[^<]*<\/time>: removed by this reset/);
    assert.doesNotMatch(form.html, /name="disconnect_identities"/, "nothing else to choose: the only identity goes anyway");
    const res = await owner.submit(link, { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(res.status, 302);
    const account = (await findUserByEmail(VICTIM))!;
    assert.deepEqual(await listIdentitiesForUser(account.id), []);
    const login = await owner.get("/login");
    assert.match(login.html, /Disconnected GitHub account mallory \(it was connected before your email address was confirmed\)\./);
    const events = await db("security_events").where({ user_id: account.id, action: "identity.unlinked" });
    assert.equal(events[0]?.details.reason, "not_proven_at_reset");

    const attacker = new TestClient(t.baseUrl);
    await viaProvider(attacker, emu.byName.github, attackerPerson);
    assert.equal(await signedInAs(attacker), undefined);
  });

  it("is kept when the browser that confirms is the one that typed the address (the person holds both)", async () => {
    const person = await squat();
    const res = await person.submit(await confirmLink(), {});
    assert.equal(res.location, "/login");
    const account = (await findUserByEmail(VICTIM))!;
    const [identity] = await listIdentitiesForUser(account.id);
    assert.equal(identity?.vouched_for_address, true);
    const later = new TestClient(t.baseUrl);
    await viaProvider(later, emu.byName.github, attackerPerson);
    assert.equal(await signedInAs(later), account.username);
  });

  it("is kept when the confirming browser first signed in with that identity and was told to confirm", async () => {
    await squat();
    const phone = new TestClient(t.baseUrl);
    assert.equal((await viaProvider(phone, emu.byName.github, attackerPerson)).status, 403);
    const link = await confirmLink();
    assert.doesNotMatch((await phone.get(link)).html, /disconnects it/);
    assert.equal((await phone.submit(link, {})).location, "/login");
    const account = (await findUserByEmail(VICTIM))!;
    assert.equal((await listIdentitiesForUser(account.id)).length, 1);
  });

  it("a different identity held by the confirming browser does not save the squatter's", async () => {
    await squat();
    const victim = new TestClient(t.baseUrl);
    // The victim started a sign-up with their own GitLab (no verified email) in this browser and
    // typed their own address, which already has an account: the owner is told by mail.
    await viaProvider(victim, emu.byName.gitlab, { login: "victim", name: "Victim", email: null, emailVerified: false });
    await victim.submit("/auth/gitlab/email", { email: VICTIM });
    await victim.submit(await confirmLink(), {});
    const account = (await findUserByEmail(VICTIM))!;
    assert.deepEqual(await listIdentitiesForUser(account.id), []);
  });
});
