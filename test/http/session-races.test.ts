import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type session from "express-session";
import { db } from "../../src/db/knex";
import { SESSION_COOKIE } from "../../src/http/session";
import { PgSessionStore } from "../../src/http/session-store";
import { useTestApp } from "../helpers/app";
import { csrfTokenFor, TestClient, pageCsrfToken } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";

/**
 * The session store, slowed down on purpose: every write waits `delayMs` (so a client that follows
 * a redirect at once is certain to arrive before a write that is not waited for), and a write for a
 * session named in `gates` waits until the test releases it (so a request is still in flight while
 * its session is ended).
 */
class SlowStore extends PgSessionStore {
  static delayMs = 0;
  static readonly gates = new Map<string, { entered: () => void; released: Promise<void> }>();

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const gate = SlowStore.gates.get(sid);
    SlowStore.gates.delete(sid);
    gate?.entered();
    const wait = gate ? gate.released : new Promise((resolve) => setTimeout(resolve, SlowStore.delayMs));
    void wait.then(() => super.set(sid, sess, cb));
  }
}

/** Holds the next write of this session until `release()`; `entered` resolves once it is held. */
function stallNextWrite(sid: string) {
  let entered!: () => void;
  let release!: () => void;
  const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  SlowStore.gates.set(sid, { entered, released });
  return { entered: enteredPromise, release };
}

/** The express-session id inside a signed session cookie. */
function sidOf(client: TestClient): string {
  return decodeURIComponent(client.cookie(SESSION_COOKIE)!).replace(/^s:/, "").split(".")[0]!;
}

async function isSignedIn(client: TestClient): Promise<boolean> {
  return (await client.get("/settings/profile")).status === 200;
}

describe("sessions under racing requests", () => {
  const t = useTestApp({ RATE_LIMIT_LOGIN_PER_IP: "1000" }, { SessionStore: SlowStore });

  describe("a response waits for the session write it depends on", () => {
    it("shows every one-time token, flash message and sign-in to a client that follows redirects at once", async () => {
      SlowStore.delayMs = 40;
      try {
        const user = await buildUser();
        const client = new TestClient(t.baseUrl);
        const home = await client.submitAndFollow("/login", { login: user.username, password: user.password });
        assert.match(home.html, /action="\/logout"/, "the sign-in was visible to the very next request");
        for (let i = 0; i < 10; i++) {
          const created = await client.submitAndFollow("/settings/tokens", { description: `laptop ${i}`, expires_in_days: "30" });
          assert.match(created.html, /gth_[A-Za-z0-9_]+/, `token ${i} was shown`);
          const saved = await client.submitAndFollow("/settings/profile", { display_name: `Ana ${i}`, bio: "" });
          assert.match(saved.html, /Your profile has been saved\./, `profile save ${i} was confirmed`);
        }
        const out = await client.submitAndFollow("/", {}, "/logout");
        assert.match(out.html, /You have signed out\./);
      } finally {
        SlowStore.delayMs = 0;
      }
    });

    it("answers parallel form posts of one session each with its own result", async () => {
      SlowStore.delayMs = 20;
      try {
        const user = await buildUser();
        const client = await loginAs(t.baseUrl, user);
        const page = await client.get("/settings/tokens");
        const token = csrfTokenFor(page.html, "/settings/tokens");
        const posts = await Promise.all(
          Array.from({ length: 6 }, (_, i) => client.postRaw("/settings/tokens", { _csrf: token, description: `parallel ${i}`, expires_in_days: "30" })),
        );
        for (const res of posts) assert.equal(res.status, 302);
        assert.equal(await db("access_tokens").where({ user_id: user.id }).count({ n: "*" }).first().then((r) => Number(r!.n)), 6);
      } finally {
        SlowStore.delayMs = 0;
      }
    });
  });

  describe("an ended session never comes back", () => {
    /**
     * Starts a request of `victim` that changes its session (a profile save), holds its session
     * write, ends the session with `end`, then lets the write go. The old cookie must stay signed out.
     */
    async function endWhileInFlight(victim: TestClient, end: () => Promise<void>) {
      const sid = sidOf(victim);
      const form = await victim.get("/settings/profile");
      const stall = stallNextWrite(sid);
      const inFlight = victim.postRaw("/settings/profile", { _csrf: csrfTokenFor(form.html, "/settings/profile"), display_name: "Still here?", bio: "" });
      await stall.entered;
      await end();
      stall.release();
      await inFlight;
      assert.equal(await isSignedIn(victim), false, "the ended session was written back");
      const row = await db("sessions").where({ sid }).first();
      assert.ok(!row || row.ended_at, "the row is ended or gone");
    }

    it("after signing out", async () => {
      const user = await buildUser();
      const victim = await loginAs(t.baseUrl, user);
      const copy = new TestClient(t.baseUrl);
      copy.setCookie(SESSION_COOKIE, victim.cookie(SESSION_COOKIE)!);
      await endWhileInFlight(copy, async () => {
        const res = await victim.submit("/", {}, "/logout");
        assert.equal(res.status, 302);
      });
    });

    it("after 'sign out all other sessions'", async () => {
      const user = await buildUser();
      const victim = await loginAs(t.baseUrl, user);
      const owner = await loginAs(t.baseUrl, user);
      await endWhileInFlight(victim, async () => {
        await owner.submit("/settings/sessions", {}, "/settings/sessions/revoke-others");
      });
      const page = await owner.get("/settings/sessions");
      assert.match(page.html, /No other session is signed in\./);
    });

    it("after revoking that one session", async () => {
      const user = await buildUser();
      const victim = await loginAs(t.baseUrl, user);
      const owner = await loginAs(t.baseUrl, user);
      const { public_id: publicId } = await db("sessions").where({ sid: sidOf(victim) }).first();
      await endWhileInFlight(victim, async () => {
        const res = await owner.submit("/settings/sessions", {}, `/settings/sessions/${publicId}/revoke`);
        assert.equal(res.status, 302);
      });
      // It is not listed, and revoking it again finds nothing.
      const page = await owner.get("/settings/sessions");
      assert.doesNotMatch(page.html, new RegExp(publicId));
      const again = await owner.postRaw(`/settings/sessions/${publicId}/revoke`, { _csrf: pageCsrfToken(page.html) });
      assert.equal(again.status, 404);
    });

    it("after a password change elsewhere", async () => {
      const user = await buildUser();
      const victim = await loginAs(t.baseUrl, user);
      const owner = await loginAs(t.baseUrl, user);
      await endWhileInFlight(victim, async () => {
        const res = await owner.submit("/settings/password", { current_password: user.password, password: "a fresh new passphrase", password_confirmation: "a fresh new passphrase" });
        assert.equal(res.status, 302);
      });
      assert.ok(await isSignedIn(owner));
    });

    it("after a password reset", async () => {
      const user = await buildUser();
      const victim = await loginAs(t.baseUrl, user);
      await endWhileInFlight(victim, async () => {
        await new TestClient(t.baseUrl).submit("/password/forgot", { email: user.email });
        const mail = await t.mailbox.waitFor(user.email, (m) => /reset/i.test(m.subject));
        const path = new URL(linkIn(mail, "/password/reset/")).pathname;
        const res = await new TestClient(t.baseUrl).submit(path, { password: "a reset passphrase", password_confirmation: "a reset passphrase" });
        assert.equal(res.status, 302);
      });
    });

    it("after the account is deleted", async () => {
      const user = await buildUser();
      const victim = await loginAs(t.baseUrl, user);
      const owner = await loginAs(t.baseUrl, user);
      await endWhileInFlight(victim, async () => {
        const res = await owner.submit("/settings/account", { username_confirmation: user.username, password: user.password }, "/settings/account/delete");
        assert.equal(res.status, 302);
      });
      assert.equal(await db("sessions").where({ user_id: user.id }).first(), undefined);
    });

    it("after the session id was renewed by a password change in the same session", async () => {
      const user = await buildUser();
      const owner = await loginAs(t.baseUrl, user);
      const stolen = new TestClient(t.baseUrl);
      stolen.setCookie(SESSION_COOKIE, owner.cookie(SESSION_COOKIE)!);
      await endWhileInFlight(stolen, async () => {
        const res = await owner.submit("/settings/password", { current_password: user.password, password: "a fresh new passphrase", password_confirmation: "a fresh new passphrase" });
        assert.equal(res.status, 302);
      });
      assert.ok(await isSignedIn(owner), "the owner keeps the renewed session");
    });
  });
});
