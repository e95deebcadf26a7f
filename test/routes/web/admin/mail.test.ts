import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { useTestApp } from "../../../helpers/app";
import { pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { auditEntries, buildAdmin } from "../../../helpers/admin";

describe("admin: failed mail", () => {
  const t = useTestApp();

  /** A mail the worker gave up on, as the worker leaves it. */
  async function failedMailTo(email: string): Promise<number> {
    const [row] = await db("outbound_mails")
      .insert({ to: email, subject: "Confirm your email", text: "secret link", html: "<p>secret link</p>", message_id: `<${email}@test>`, attempts: 7, last_error: "550 mailbox unavailable", failed_at: new Date() })
      .returning("id");
    return (row as { id: number }).id;
  }

  it("lists what the worker gave up on without bodies, retries one once, and records it in the audit log", async () => {
    const admin = await buildAdmin({ username: "root" });
    const ada = await buildUser({ email: "ada@example.test" });
    const id = await failedMailTo(ada.email);
    const client = await loginAs(t.baseUrl, admin);

    const page = await client.get("/admin/mail");
    assert.equal(page.status, 200);
    assert.match(page.html, /ada@example\.test/);
    assert.match(page.html, /550 mailbox unavailable/);
    assert.doesNotMatch(page.html, /secret link/, "bodies are never shown");

    const csrf = pageCsrfToken(page.html);
    const [first, second] = await Promise.all([
      client.postRaw(`/admin/mail/${id}/retry`, { _csrf: csrf }),
      client.postRaw(`/admin/mail/${id}/retry`, { _csrf: csrf }),
    ]);
    assert.deepEqual([first.status, second.status].sort(), [302, 404], "two clicks at once queue it once");
    await t.mailbox.waitFor(ada.email, (m) => m.subject === "Confirm your email");
    const retried = (await auditEntries()).filter((e) => e.action === "mail.retried");
    assert.equal(retried.length, 1);
    assert.equal(retried[0]!.target_label, ada.email);
    assert.match((await client.get("/admin/mail")).html, /No failed mail/);
  });
});
