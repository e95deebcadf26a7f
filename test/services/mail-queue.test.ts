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
});
