import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, TestClient, pageCsrfToken } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { db } from "../../../src/db/knex";
import { findUserById } from "../../../src/db/users";
import { hashToken, randomToken } from "../../../src/lib/tokens";

const NEW_PASSWORD = "a brand new passphrase";
const pathOf = (url: string) => new URL(url).pathname;

describe("a reset link dies with its address", () => {
  const t = useTestApp();

  /** Asks for a reset of `email` from a fresh browser and returns the path of the link mailed. */
  async function requestResetLink(email: string): Promise<string> {
    await new TestClient(t.baseUrl).submit("/password/forgot", { email });
    const mail = await t.mailbox.waitFor(email, (m) => /Reset your Gatehouse password/.test(m.subject));
    return pathOf(linkIn(mail, "/password/reset/"));
  }

  /** Starts an email change to `newEmail` and returns the confirmation link's path. */
  async function startEmailChange(client: TestClient, newEmail: string, password: string): Promise<string> {
    const res = await client.submit("/settings/account", { email: newEmail, current_password: password }, "/settings/account/email");
    assert.equal(res.status, 302);
    const mail = await t.mailbox.waitFor(newEmail, (m) => /Confirm your new email/.test(m.subject));
    return pathOf(linkIn(mail, "/email/confirm/"));
  }

  /**
   * Posts a new password to a reset link with a valid CSRF token of the client's session (taken from
   * the forgot-password form), as an attacker holding the link would.
   */
  async function postReset(client: TestClient, link: string) {
    const csrf = csrfTokenFor((await client.get("/password/forgot")).html, "/password/forgot");
    return client.postRaw(link, { _csrf: csrf, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
  }

  async function canSignIn(login: string, password: string): Promise<boolean> {
    return (await new TestClient(t.baseUrl).submit("/login", { login, password })).status === 302;
  }

  /** Stores a reset code for the user as if it had been mailed to `email`; returns the link's path. */
  async function plantResetLink(userId: number, email: string): Promise<string> {
    const token = randomToken();
    await db("email_codes").insert({
      user_id: userId, purpose: "password_reset", token_hash: hashToken(token), email, expires_at: new Date(Date.now() + 3_600_000),
    });
    return `/password/reset/${token}`;
  }

  it("refuses a link mailed to the old address once the change is confirmed (410)", async () => {
    const user = await buildUser({ email: "old@example.test" });
    const resetLink = await requestResetLink("old@example.test");
    const owner = await loginAs(t.baseUrl, user);
    const confirmLink = await startEmailChange(owner, "new@example.test", user.password);
    assert.equal((await owner.submit(confirmLink, {})).status, 302);
    assert.equal((await findUserById(user.id))!.email, "new@example.test");

    // Whoever still reads old@example.test follows the link.
    const oldMailbox = new TestClient(t.baseUrl);
    const shown = await oldMailbox.get(resetLink);
    assert.equal(shown.status, 410);
    assert.match(shown.html, /expired|no longer/i);
    assert.equal((await postReset(oldMailbox, resetLink)).status, 410);
    assert.equal(await db("email_codes").where({ user_id: user.id, purpose: "password_reset" }).first(), undefined, "the link is gone, not only refused");
    assert.ok(await canSignIn("new@example.test", user.password), "the password is unchanged");
    assert.equal(await canSignIn("new@example.test", NEW_PASSWORD), false);
  });

  it("keeps a reset link working while the change is only requested", async () => {
    const user = await buildUser({ email: "old@example.test" });
    const resetLink = await requestResetLink("old@example.test");
    const owner = await loginAs(t.baseUrl, user);
    await startEmailChange(owner, "new@example.test", user.password);
    assert.equal((await new TestClient(t.baseUrl).get(resetLink)).status, 200);
  });

  it("refuses a link whose stored address differs from the account's, and accepts one differing only in case", async () => {
    const user = await buildUser({ email: "ana@example.test" });
    const stranger = await plantResetLink(user.id, "someone-else@example.test");
    const client = new TestClient(t.baseUrl);
    assert.equal((await client.get(stranger)).status, 410);
    assert.equal((await postReset(client, stranger)).status, 410);
    assert.ok(await canSignIn(user.username, user.password));

    await db("email_codes").where({ user_id: user.id }).delete();
    const sameAddress = await plantResetLink(user.id, "ANA@Example.TEST");
    const ok = await new TestClient(t.baseUrl).submit(sameAddress, { password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    assert.equal(ok.status, 302);
    assert.ok(await canSignIn(user.username, NEW_PASSWORD));
  });

  it("never lets the old address's link reset the account after a change confirmed at the same moment", async () => {
    for (let round = 0; round < 4; round++) {
      await db("email_codes").delete();
      const user = await buildUser({ email: `old${round}@example.test` });
      const resetLink = await requestResetLink(`old${round}@example.test`);
      const owner = await loginAs(t.baseUrl, user);
      const confirmLink = await startEmailChange(owner, `new${round}@example.test`, user.password);
      const oldMailbox = new TestClient(t.baseUrl);
      const form = await oldMailbox.get(resetLink);
      assert.equal(form.status, 200);
      const csrf = pageCsrfToken(form.html);
      const [, reset] = await Promise.all([
        owner.submit(confirmLink, {}),
        oldMailbox.postRaw(resetLink, { _csrf: csrf, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD }),
      ]);
      const events = await db("security_events").where({ user_id: user.id }).whereIn("action", ["password.reset", "email.changed"]).orderBy("id").pluck("action");
      // One of them wins: a reset first cancels the pending change (its link then fails), a change
      // first kills the reset link. Never both, and never a reset of the moved account.
      if (reset.status === 302) {
        assert.deepEqual(events, ["password.reset"], `round ${round}`);
        assert.equal((await findUserById(user.id))!.email, `old${round}@example.test`);
      } else {
        assert.deepEqual(events, ["email.changed"], `round ${round}`);
        assert.ok(await canSignIn(`new${round}@example.test`, user.password));
      }
      assert.equal((await new TestClient(t.baseUrl).get(resetLink)).status, 410);
    }
  });
});
