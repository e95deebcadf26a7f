import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { buildUser } from "../helpers/factories";
import { db } from "../../src/db/knex";
import { passwordChangedMail } from "../../src/emails/password-changed";

/** A mail as a service would queue it. */
function mailTo(userId: number, to: string) {
  return passwordChangedMail({ userId, to, username: "ana", how: "changed", ip: null });
}

describe("mail queued in a transaction", () => {
  const t = useTestApp();

  it("is sent after its transaction commits, with no wake-up call from the service", async () => {
    const user = await buildUser({ email: "ana@example.test" });
    await db.transaction(async (trx) => {
      await t.ctx.mail.queue(mailTo(user.id, user.email), trx);
    });
    const mail = await t.mailbox.waitFor(user.email);
    assert.match(mail.subject, /password was changed/);
  });

  it("is never sent when its transaction rolls back", async () => {
    const user = await buildUser({ email: "ana@example.test" });
    const other = await buildUser({ email: "bea@example.test" });
    await assert.rejects(
      db.transaction(async (trx) => {
        await t.ctx.mail.queue(mailTo(user.id, user.email), trx);
        throw new Error("the change failed after its mail was queued");
      }),
      /the change failed/,
    );
    // A mail committed afterwards is sent; the worker takes mail in queue order, so once it has
    // arrived the rolled-back one would have been sent before it, had it existed.
    await db.transaction(async (trx) => {
      await t.ctx.mail.queue(mailTo(other.id, other.email), trx);
    });
    await t.mailbox.waitFor(other.email);
    assert.deepEqual(t.mailbox.to(user.email), []);
    assert.deepEqual(await db("outbound_mails").where({ to: user.email }), []);
  });

  it("queues a batch in one go: every mail of it is sent once, each security notice with a link of its own", async () => {
    const users = [await buildUser({ email: "ana@example.test" }), await buildUser({ email: "bea@example.test" }), await buildUser({ email: "cy@example.test" })];
    await assert.rejects(
      db.transaction(async (trx) => {
        await t.ctx.mail.queueAll(users.map((u) => mailTo(u.id, u.email)), trx);
        throw new Error("rolled back");
      }),
      /rolled back/,
    );
    assert.deepEqual(await db("outbound_mails"), [], "a rolled-back batch leaves nothing");
    await db.transaction((trx) => t.ctx.mail.queueAll(users.map((u) => mailTo(u.id, u.email)), trx));
    const links = new Set<string>();
    for (const u of users) {
      const mail = await t.mailbox.waitFor(u.email);
      links.add(/\/not-me\/[\w-]+/.exec(mail.text)![0]);
    }
    assert.equal(links.size, users.length, "each notice has its own 'this wasn't me' link");
    assert.equal((await db("outbound_mails")).length, users.length);
    await db.transaction((trx) => t.ctx.mail.queueAll([], trx));
    assert.equal((await db("outbound_mails")).length, users.length, "an empty batch queues nothing");
  });
});
