import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { buildUser } from "../helpers/factories";
import { db } from "../../src/db/knex";
import { notify } from "../../src/db/notifications";
import { OUTBOUND_MAIL_CHANNEL, type OutboundMailRow } from "../../src/db/outbound-mails";
import { passwordChangedMail } from "../../src/emails/password-changed";
import { createLogger } from "../../src/lib/logger";
import { listFailedMails, retryMail } from "../../src/services/failed-mails";
import { startMailWorker } from "../../src/services/mail-worker";

/** Waits until `check` gives a value (the worker works on its own schedule), failing after 20 s. */
async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

const rowTo = (to: string) => db<OutboundMailRow>("outbound_mails").where({ to }).first();

/** Makes the retries of queued mail due now, as if their back-off had passed, and wakes the worker. */
async function makeRetriesDue() {
  await db("outbound_mails").whereNull("sent_at").update({ next_attempt_at: db.fn.now() });
  await notify(OUTBOUND_MAIL_CHANNEL);
}

describe("mail worker", () => {
  const t = useTestApp();

  async function queueFor(...users: { id: number; email: string; username: string }[]) {
    await db.transaction(async (trx) => {
      for (const u of users) await t.ctx.mail.queue(passwordChangedMail({ userId: u.id, to: u.email, username: u.username, how: "changed", ip: null }), trx);
    });
  }

  it("gives every mail a Message-ID when it is queued, and sends it with that one", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    await queueFor(ana);
    const received = await t.mailbox.waitFor(ana.email);
    const row = await rowTo(ana.email);
    assert.match(row!.message_id, /^<[0-9a-f-]{36}@127\.0\.0\.1>$/);
    assert.equal(received.messageId, row!.message_id);
  });

  it("sends a mail sent again (its sent mark lost in a crash) with the same Message-ID", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    await queueFor(ana);
    const first = await t.mailbox.waitFor(ana.email);
    await waitUntil("the mail is marked sent", async () => (await rowTo(ana.email))?.sent_at);
    // What a crash between the SMTP server's acceptance and the sent mark leaves: an unsent row.
    await db("outbound_mails").where({ to: ana.email }).update({ sent_at: null, text: "Again.", html: "<p>Again.</p>" });
    await makeRetriesDue();
    await waitUntil("the mail arrived twice", async () => t.mailbox.to(ana.email).length === 2);
    const [a, b] = t.mailbox.to(ana.email);
    assert.equal(a!.messageId, first.messageId);
    assert.equal(b!.messageId, first.messageId);
  });

  it("marks a mail sent as soon as the SMTP server took it, while the next one is still being sent", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const bea = await buildUser({ email: "bea@example.test" });
    const held = t.mailbox.hold(bea.email);
    await queueFor(ana, bea);
    await held.reached;
    try {
      // The worker is in the middle of bea's mail; ana's, accepted before it, is already marked.
      const anaRow = await rowTo(ana.email);
      assert.ok(anaRow!.sent_at, "the accepted mail is marked sent");
      assert.equal(anaRow!.text, null, "and its body is erased");
      assert.equal((await rowTo(bea.email))!.sent_at, null);
    } finally {
      held.release();
    }
    await t.mailbox.waitFor(bea.email);
    await waitUntil("bea's mail is marked sent", async () => (await rowTo(bea.email))?.sent_at);
    assert.equal(t.mailbox.to(ana.email).length, 1);
  });

  it("keeps a mail the SMTP server refused, and another accepted in the same round is marked sent", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    const bea = await buildUser({ email: "bea@example.test" });
    t.mailbox.refuse(bea.email, "Mailbox busy, try later");
    await queueFor(ana, bea);
    const refused = await waitUntil("bea's mail was refused once", async () => {
      const row = await rowTo(bea.email);
      return row && row.attempts > 0 ? row : undefined;
    });
    assert.equal(refused.sent_at, null);
    assert.equal(refused.failed_at, null, "a refusal within the give-up time is retried, not failed");
    assert.match(refused.last_error!, /Mailbox busy, try later/);
    assert.ok(refused.next_attempt_at.getTime() > Date.now(), "the retry waits for its back-off");
    assert.ok((await rowTo(ana.email))!.sent_at);
    assert.equal(t.mailbox.to(ana.email).length, 1);
  });

  it("survives an SMTP outage: retries with back-off, then delivers once the server takes mail again", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    t.mailbox.refuse("*");
    await queueFor(ana);
    await waitUntil("the first attempt failed", async () => ((await rowTo(ana.email))?.attempts ?? 0) >= 1);
    await makeRetriesDue();
    await waitUntil("the second attempt failed", async () => ((await rowTo(ana.email))?.attempts ?? 0) >= 2);
    assert.deepEqual(t.mailbox.to(ana.email), []);

    t.mailbox.accept("*");
    await makeRetriesDue();
    const mail = await t.mailbox.waitFor(ana.email);
    const row = await waitUntil("the mail is marked sent", async () => {
      const r = await rowTo(ana.email);
      return r?.sent_at ? r : undefined;
    });
    assert.equal(mail.messageId, row.message_id, "the retries kept the Message-ID");
    assert.equal(row.attempts, 2);
    assert.equal(row.failed_at, null);
  });

  it("gives up once delivery has failed for MAIL_GIVE_UP_HOURS, lists the mail as failed, and sends it on retry", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    t.mailbox.refuse("*", "Relay access denied for now");
    await db.transaction(async (trx) => {
      await t.ctx.mail.queue(passwordChangedMail({ userId: ana.id, to: ana.email, username: ana.username, how: "changed", ip: null }), trx);
      // Queued a day and an hour ago, as far as the give-up rule can tell.
      await trx("outbound_mails").update({ queued_at: trx.raw("now() - interval '25 hours'") });
    });
    const failed = await waitUntil("the mail is marked failed", async () => (await rowTo(ana.email))?.failed_at);
    assert.ok(failed);

    const { mails, total } = await listFailedMails({ limit: 10, offset: 0 });
    assert.equal(total, 1);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.to, ana.email);
    assert.match(mails[0]!.last_error!, /Relay access denied for now/);
    assert.equal(mails[0]!.attempts, 1);
    assert.ok(!("text" in mails[0]!) && !("html" in mails[0]!), "the list never carries bodies");
    // A failed mail is not tried again on its own: a mail queued after it goes out, it does not.
    t.mailbox.accept("*");
    const bea = await buildUser({ email: "bea@example.test" });
    await makeRetriesDue();
    await queueFor(bea);
    await t.mailbox.waitFor(bea.email);
    assert.deepEqual(t.mailbox.to(ana.email), []);
    assert.equal((await rowTo(ana.email))!.attempts, 1);

    const retried = await retryMail(mails[0]!.id);
    assert.equal(retried.failed_at, null);
    const mail = await t.mailbox.waitFor(ana.email);
    assert.equal(mail.messageId, (await rowTo(ana.email))!.message_id);
    await waitUntil("the retried mail is marked sent", async () => (await rowTo(ana.email))?.sent_at);
    assert.equal((await listFailedMails({ limit: 10, offset: 0 })).total, 0);
  });

  it("retries only a failed mail: an unknown, queued or sent one is a 404, so a double click sends once", async () => {
    const ana = await buildUser({ email: "ana@example.test" });
    await queueFor(ana);
    await t.mailbox.waitFor(ana.email);
    const sent = await waitUntil("sent", async () => {
      const r = await rowTo(ana.email);
      return r?.sent_at ? r : undefined;
    });
    await assert.rejects(retryMail(sent.id), (err: { status?: number }) => err.status === 404);
    await assert.rejects(retryMail(sent.id + 1000), (err: { status?: number }) => err.status === 404);

    await db("outbound_mails").where({ id: sent.id }).update({ sent_at: null, failed_at: db.fn.now(), last_error: "refused" });
    const results = await Promise.allSettled([retryMail(sent.id), retryMail(sent.id)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  });

  it("never sends one mail twice when several workers (app processes) run at once", async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => buildUser({ email: `user${i}@example.test` })));
    const second = startMailWorker(t.config, createLogger("silent"));
    try {
      await queueFor(...users);
      for (const u of users) await t.mailbox.waitFor(u.email);
      await waitUntil("every mail is marked sent", async () => (await db("outbound_mails").whereNull("sent_at")).length === 0);
    } finally {
      await second.stop();
    }
    for (const u of users) assert.equal(t.mailbox.to(u.email).length, 1, `${u.email} got one mail`);
  });
});
