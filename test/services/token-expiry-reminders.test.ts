import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { remindOfExpiringTokens } from "../../src/services/token-expiry-reminders";
import { useTestApp } from "../helpers/app";
import { buildUser } from "../helpers/factories";
import { addMember, buildOrg, buildTeam } from "../helpers/orgs";
import { saveEmailPreferences } from "../../src/services/notification-preferences";
import { buildAccessToken } from "../helpers/tokens";
import { createOrgAccessToken } from "../../src/services/org-access-tokens";

const DAY = 86_400_000;

/** Moves a token's creation and expiry as if it had been made `ageDays` ago to last `lifetimeDays`. */
async function age(tokenId: number, ageDays: number, lifetimeDays: number) {
  const created = new Date(Date.now() - ageDays * DAY);
  await db("access_tokens").where({ id: tokenId }).update({ created_at: created, expires_at: new Date(created.getTime() + lifetimeDays * DAY) });
}

describe("reminders of expiring access tokens", () => {
  const t = useTestApp();

  it("mails each account once, listing its tokens that expire within a week, and never again", async () => {
    const ana = await buildUser({ username: "ana", email: "ana@example.test" });
    const soon = await buildAccessToken(t.ctx, ana, { description: "deploy bot" });
    await age(soon.row.id, 85, 90);
    const alsoSoon = await buildAccessToken(t.ctx, ana, { description: "laptop CLI" });
    await age(alsoSoon.row.id, 25, 30);
    // Not due: far from its expiry, never expiring, made for a day, revoked, already expired.
    await buildAccessToken(t.ctx, ana, { description: "fresh" });
    await buildAccessToken(t.ctx, ana, { description: "forever", expiresInDays: null });
    await buildAccessToken(t.ctx, ana, { description: "one day", expiresInDays: 1 });
    const revoked = await buildAccessToken(t.ctx, ana, { description: "revoked" });
    await age(revoked.row.id, 85, 90);
    await db("access_tokens").where({ id: revoked.row.id }).update({ revoked_at: new Date() });
    const gone = await buildAccessToken(t.ctx, ana, { description: "expired" });
    await age(gone.row.id, 95, 90);
    // A suspended account's tokens work for nobody.
    const sam = await buildUser({ username: "sam", email: "sam@example.test" });
    await age((await buildAccessToken(t.ctx, sam)).row.id, 85, 90);
    await db("users").where({ id: sam.id }).update({ suspended_at: new Date() });

    assert.equal(await remindOfExpiringTokens(t.ctx), 1);
    const mail = await t.mailbox.waitFor(ana.email, (m) => /expire soon/.test(m.subject));
    assert.equal(mail.subject, "2 of your Gatehouse access tokens expire soon");
    assert.match(mail.text, /- laptop CLI \(gth_…\w{4}\), expires on /);
    assert.match(mail.text, /- deploy bot \(gth_…\w{4}\), expires on /);
    for (const other of ["fresh", "forever", "one day", "revoked", "expired"]) assert.doesNotMatch(mail.text, new RegExp(`- ${other} \\(`), other);
    assert.match(mail.text, /http:\/\/127\.0\.0\.1:\d+\/settings\/tokens/);
    const marked = await db("access_tokens").whereNotNull("expiry_reminded_at").orderBy("id").pluck("id");
    assert.deepEqual(marked, [soon.row.id, alsoSoon.row.id], "only the two due tokens are marked");

    assert.equal(await remindOfExpiringTokens(t.ctx), 0, "each token is reminded of once");
    const reminders = await db("outbound_mails").where("subject", "like", "%expire soon%").pluck("to");
    assert.deepEqual(reminders, [ana.email], "one mail, and none to the suspended account");
  });

  it("mails an organization's owners who want organization mail about its organization and team tokens", async () => {
    const owner = await buildUser({ username: "olga", email: "olga@example.test" });
    const quietOwner = await buildUser({ username: "quinn", email: "quinn@example.test" });
    const admin = await buildUser({ username: "adam", email: "adam@example.test" });
    const org = await buildOrg(owner, { slug: "rockets", name: "Rockets" });
    await addMember(org, quietOwner, "owner");
    await addMember(org, admin, "admin");
    await saveEmailPreferences(quietOwner.id, { organization: false, product: false });
    const team = await buildTeam(org, "Launch");
    await createOrgAccessToken(org, null, { description: "ci deploy", scope: "organization", expires_in_days: "30" });
    await createOrgAccessToken(org, null, { description: "launch reader", scope: String(team.id), expires_in_days: "30" });
    await db("access_tokens").whereNotNull("organization_id").update({ created_at: new Date(Date.now() - 25 * DAY), expires_at: new Date(Date.now() + 5 * DAY) });

    assert.equal(await remindOfExpiringTokens(t.ctx), 1);
    const mail = await t.mailbox.waitFor(owner.email, (m) => /expire soon/.test(m.subject));
    assert.equal(mail.subject, "2 access tokens of Rockets expire soon");
    assert.match(mail.text, /- ci deploy \(gto_…\w{4}\), expires on /);
    assert.match(mail.text, /- launch reader \(gtt_…\w{4}\), expires on /);
    assert.match(mail.text, /\/orgs\/rockets\/tokens/);
    const reminded = await db("outbound_mails").where("subject", "like", "%expire soon%").pluck("to");
    assert.deepEqual(reminded, [owner.email], "not the owner who turned organization mail off, nor an admin, who cannot manage these tokens");
    assert.equal(await remindOfExpiringTokens(t.ctx), 0);
  });

  it("queues one mail however many processes run the job at the same moment", async () => {
    const bo = await buildUser({ username: "bo", email: "bo@example.test" });
    for (let i = 0; i < 5; i++) await age((await buildAccessToken(t.ctx, bo, { description: `token ${i}` })).row.id, 85, 90);
    const runs = await Promise.all(Array.from({ length: 6 }, () => remindOfExpiringTokens(t.ctx)));
    const reminded = await db("access_tokens").where({ user_id: bo.id }).whereNotNull("expiry_reminded_at").count<{ n: string }[]>({ n: "*" });
    assert.equal(Number(reminded[0]!.n), 5, "every token marked");
    const mails = await db("outbound_mails").where({ to: bo.email }).where("subject", "like", "%expire soon%");
    // Parallel runs may split the tokens between them, but no token is listed twice.
    const listed = mails.flatMap((m: { text: string }) => [...m.text.matchAll(/- (token \d) \(/g)].map((x) => x[1]));
    assert.equal(listed.length, 5);
    assert.equal(new Set(listed).size, 5);
    assert.equal(runs.reduce((a, b) => a + b, 0), mails.length);
  });
});
