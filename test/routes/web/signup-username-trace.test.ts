import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, fieldError, TestClient, type Page } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { db } from "../../../src/db/knex";
import { findUserByUsername } from "../../../src/db/users";

const PASSWORD = "violet kites over the bay";
const TAKEN = "That username is taken. Choose another.";

describe("sign-up reveals nothing through the username", () => {
  const t = useTestApp();

  function signUp(username: string, email: string): Promise<Page> {
    return new TestClient(t.baseUrl).submit("/signup", { username, email, password: PASSWORD });
  }

  /** Sign-ups from fresh browsers, every form loaded first, then every POST at the same moment. */
  async function parallelSignUps(fields: { username: string; email: string }[]): Promise<Page[]> {
    const clients = fields.map(() => new TestClient(t.baseUrl));
    const forms = await Promise.all(clients.map((c) => c.get("/signup")));
    return Promise.all(clients.map((c, i) => c.postRaw("/signup", { _csrf: csrfTokenFor(forms[i]!.html, "/signup"), password: PASSWORD, ...fields[i]! })));
  }

  /** A page with what the attacker typed and the per-request tokens taken out. */
  function comparable(page: Page, ...typed: string[]): string {
    let html = page.html.replace(/name="_csrf" value="[^"]+"/g, "").replace(/nonce="[^"]+"/g, "");
    for (const value of typed) html = html.replaceAll(value, "TYPED");
    return `${page.status}\n${html}`;
  }

  /**
   * Runs `fn` while a transaction of the test holds back every insert into users (SHARE lock:
   * reads go on, writes wait), and lets go once `waiting` inserts are queued behind it, so that
   * requests racing each other all look before any of them writes.
   */
  async function withUserInsertsHeld<T>(waiting: number, fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const hold = db.transaction(async (trx) => {
      await trx.raw("LOCK TABLE users IN SHARE MODE");
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await isLocked;
    const running = fn();
    for (;;) {
      const { rows } = await db.raw<{ rows: { n: number }[] }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'insert into "users"%'`,
      );
      if (rows[0]!.n >= waiting) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    release();
    await hold;
    return running;
  }

  it("holds the username after a taken address as a new address does: the next signup is told 'taken' alike", async () => {
    await buildUser({ username: "owner", email: "owner@example.test" });
    // The attacker signs up with the address to test, then with the same username and their own address.
    const first = { taken: await signUp("probe-a", "owner@example.test"), fresh: await signUp("probe-b", "nobody@example.test") };
    assert.equal(comparable(first.taken, "probe-a", "owner@example.test"), comparable(first.fresh, "probe-b", "nobody@example.test"));
    const second = { taken: await signUp("probe-a", "attacker1@example.test"), fresh: await signUp("probe-b", "attacker2@example.test") };
    assert.equal(second.taken.status, 422);
    assert.equal(fieldError(second.taken.html, "username"), TAKEN);
    assert.equal(comparable(second.taken, "probe-a", "attacker1@example.test"), comparable(second.fresh, "probe-b", "attacker2@example.test"));

    // The other ways to ask whether a username is free say the same for both.
    const member = await loginAs(t.baseUrl, await buildUser());
    for (const username of ["probe-a", "probe-b"]) {
      const change = await member.submit("/settings/account", { username }, "/settings/account/username");
      assert.equal(change.status, 422, username);
      assert.equal(fieldError(change.html, "username"), TAKEN, username);
      assert.equal((await new TestClient(t.baseUrl).get(`/u/${username}`)).status, 404, username);
    }
  });

  it("answers alike in the other order: the username first with the attacker's address, then with the one to test", async () => {
    await buildUser({ username: "owner", email: "owner@example.test" });
    await signUp("probe-a", "attacker1@example.test");
    await signUp("probe-b", "attacker2@example.test");
    const taken = await signUp("probe-a", "owner@example.test");
    const fresh = await signUp("probe-b", "nobody@example.test");
    assert.equal(fieldError(taken.html, "username"), TAKEN);
    assert.equal(comparable(taken, "probe-a", "owner@example.test"), comparable(fresh, "probe-b", "nobody@example.test"));
    assert.equal(t.mailbox.to("owner@example.test").length, 0, "a signup refused for its username mails nobody");
  });

  it("settles racing signups for one username alike, whatever the address", async () => {
    await buildUser({ username: "owner", email: "owner@example.test" });
    for (const [i, target] of ["owner@example.test", "nobody@example.test"].entries()) {
      const pages = await withUserInsertsHeld(2, () =>
        parallelSignUps([
          { username: `race-${i}`, email: target },
          { username: `race-${i}`, email: `attacker${i}@example.test` },
        ]),
      );
      assert.deepEqual(pages.map((p) => p.status).sort(), [200, 422], target);
      assert.equal(pages.filter((p) => fieldError(p.html, "username") === TAKEN).length, 1, target);
    }
  });

  it("holds both usernames when two signups race for one address, whether or not it had an account", async () => {
    await buildUser({ username: "owner", email: "owner@example.test" });
    for (const [i, target] of ["owner@example.test", "nobody@example.test"].entries()) {
      const pages = await withUserInsertsHeld(2, () =>
        parallelSignUps([
          { username: `left-${i}`, email: target },
          { username: `right-${i}`, email: target },
        ]),
      );
      assert.deepEqual(pages.map((p) => p.status), [200, 200], target);
      for (const username of [`left-${i}`, `right-${i}`]) {
        assert.equal(fieldError((await signUp(username, `later-${username}@example.test`)).html, "username"), TAKEN, `${username} after ${target}`);
      }
    }
  });

  it("still mails the real owner a notice, and never lets the squatter in", async () => {
    const owner = await buildUser({ username: "owner", email: "owner@example.test" });
    await signUp("squatter", "OWNER@example.test");
    const notice = await t.mailbox.waitFor("owner@example.test", (m) => /tried to sign up/.test(m.subject));
    assert.doesNotMatch(notice.text, /\/email\/confirm\//);

    for (const login of ["squatter", "owner@example.test", "owner"]) {
      const res = await new TestClient(t.baseUrl).submit("/login", { login, password: PASSWORD });
      assert.equal(res.status, 422, `the squatter's password does not sign in as ${login}`);
    }
    const held = (await findUserByUsername("squatter"))!;
    assert.equal(held.password_hash, null, "the squatter's password is not stored");
    assert.equal(held.email_confirmed_at, null);
    assert.match(held.email, /@username-hold\.invalid$/);
    assert.equal(t.mailbox.to(held.email).length, 0);
    const stored = (await db("users").where({ id: owner.id }).first())!;
    assert.equal(stored.password_hash, owner.password_hash);
    assert.equal(stored.email, "owner@example.test");
    await loginAs(t.baseUrl, owner);
  });

  it("lets the hold go when an unconfirmed account would: it is one, with a confirmation code that expires alike", async () => {
    await buildUser({ username: "owner", email: "owner@example.test" });
    await signUp("held", "owner@example.test");
    await signUp("newcomer", "newcomer@example.test");
    const codes = await db("email_codes")
      .join("users", "users.id", "email_codes.user_id")
      .whereIn("users.username", ["held", "newcomer"])
      .where("email_codes.purpose", "email_confirmation")
      .select("users.username", "users.email_confirmed_at", "email_codes.expires_at");
    assert.equal(codes.length, 2);
    for (const code of codes) assert.equal(code.email_confirmed_at, null, code.username);
    const [a, b] = codes.map((c) => new Date(c.expires_at).getTime());
    assert.ok(Math.abs(a! - b!) < 60_000, "both expire together");
  });
});
