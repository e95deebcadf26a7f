import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../../helpers/app";
import { TestClient } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";
import { buildOrg } from "../../../helpers/orgs";
import { db } from "../../../../src/db/knex";

/** The export's list of mail, from the side of whoever holds an address after someone else did. */
describe("data export: mail", () => {
  const t = useTestApp();

  async function exportOf(client: TestClient): Promise<{ subject: string; to: string }[]> {
    const res = await client.submit("/settings/account", {}, "/settings/account/export");
    assert.equal(res.status, 200);
    return JSON.parse(res.html).emails.mails_sent;
  }

  it("lists the mail queued for this account, not earlier mail to the same address for somebody else", async () => {
    const before = await buildUser({ username: "earlier", email: "shared@example.test" });
    await new TestClient(t.baseUrl).submit("/password/forgot", { email: "shared@example.test" });
    await t.mailbox.waitFor("shared@example.test", (m) => /reset/i.test(m.subject));
    // The address changes hands: the first account moves to another address, a new one takes it.
    await db("users").where({ id: before.id }).update({ email: "moved@example.test" });
    const after = await buildUser({ username: "later", email: "shared@example.test" });
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const inviter = await loginAs(t.baseUrl, owner);
    await inviter.submit(`/orgs/${org.slug}/invitations`, { email: "shared@example.test", role: "member" });
    await new TestClient(t.baseUrl).submit("/password/forgot", { email: "shared@example.test" });
    const resets = () => t.mailbox.to("shared@example.test").filter((m) => /reset/i.test(m.subject)).length;
    await t.mailbox.waitFor("shared@example.test", () => resets() === 2);

    const later = await exportOf(await loginAs(t.baseUrl, after));
    assert.equal(later.length, 1, `only the later account's own reset mail: ${JSON.stringify(later)}`);
    assert.match(later[0]!.subject, /reset/i);

    // The earlier account still finds its own mail, sent to the address it had then.
    const earlier = await exportOf(await loginAs(t.baseUrl, { username: "earlier", password: before.password }));
    assert.equal(earlier.filter((m) => /reset/i.test(m.subject)).length, 1);
    assert.equal(earlier[0]!.to, "shared@example.test");
    // An invitation goes to an address, whoever holds it: it is in neither account's list.
    assert.ok(![...later, ...earlier].some((m) => /invited you/.test(m.subject)));
  });
});
