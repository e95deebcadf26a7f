import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { insertSecurityEvent } from "../../../src/db/security-events";
import { useTestApp } from "../../helpers/app";
import { TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { addMember, buildOrg } from "../../helpers/orgs";
import { statementsDuring } from "../../helpers/statements";
import { buildAccessToken } from "../../helpers/tokens";

/** The statements a GET of `path` issues, the mail worker's polling left out. */
async function statementsOf(client: TestClient, path: string): Promise<string[]> {
  return statementsDuring(async () => assert.equal((await client.get(path)).status, 200));
}

/** Inserts a pending invitation to `email` into `org`, sent by `inviterId`. */
async function invitationTo(org: { id: number }, email: string, inviterId: number, fields: Record<string, unknown> = {}) {
  await db("invitations").insert({
    organization_id: org.id, email, role: "admin", inviter_id: inviterId, token_hash: Buffer.from(crypto.getRandomValues(new Uint8Array(32))),
    expires_at: new Date(Date.now() + 3 * 86_400_000), ...fields,
  });
}

describe("home page", () => {
  const t = useTestApp();

  it("shows the user's organizations with their role, expiring tokens, recent security events and invitations", async () => {
    const user = await buildUser({ username: "homer", email: "homer@example.test" });
    const other = await buildUser({ username: "marge" });
    await buildOrg(user, { slug: "mine", name: "Mine" });
    const theirs = await buildOrg(other, { slug: "theirs", name: "Theirs" });
    await addMember(theirs, user, "member");
    const inviting = await buildOrg(other, { slug: "inviting", name: "Inviting Co" });
    await invitationTo(inviting, "HOMER@example.test", other.id);
    await invitationTo(theirs, "homer@example.test", other.id, { expires_at: new Date(Date.now() - 1000) });
    await invitationTo(await buildOrg(other, { name: "Revoked Co" }), "homer@example.test", other.id, { status: "revoked" });
    await invitationTo(await buildOrg(other, { name: "Someone Else Co" }), "bart@example.test", other.id);
    await buildAccessToken(t.ctx, user, { description: "soon", expiresInDays: 3 });
    await buildAccessToken(t.ctx, user, { description: "later", expiresInDays: 30 });
    await buildAccessToken(t.ctx, user, { description: "forever", expiresInDays: null });
    await buildAccessToken(t.ctx, other, { description: "not mine", expiresInDays: 3 });
    const client = await loginAs(t.baseUrl, user);
    // The newest five of the user's log, the sign-in above being older than these.
    for (let i = 1; i <= 6; i++) {
      await insertSecurityEvent({ user_id: user.id, action: "password.changed", ip: "192.0.2.1", user_agent: null });
      await db("security_events").where({ user_id: user.id }).orderBy("id", "desc").limit(1).update({ created_at: new Date(Date.now() + i * 1000) });
    }
    await insertSecurityEvent({ user_id: other.id, action: "sign_in", ip: null, user_agent: null });

    const page = await client.get("/");
    assert.equal(page.status, 200);
    assert.match(page.html, /Mine <span class="badge badge--accent">Owner<\/span>/);
    assert.match(page.html, /Theirs <span class="badge">Member<\/span>/);
    assert.match(page.html, /<strong>marge<\/strong> invited you to join <strong>Inviting Co<\/strong> as an admin/);
    assert.doesNotMatch(page.html, /Revoked Co|Someone Else Co|join <strong>Theirs/);
    assert.match(page.html, /<strong>soon<\/strong>/);
    assert.doesNotMatch(page.html, /<strong>(later|forever|not mine)<\/strong>/);
    assert.match(page.html, /href="\/settings\/tokens">Manage your tokens/);
    assert.equal((page.html.match(/<strong>Password changed<\/strong>/g) ?? []).length, 5);
    assert.doesNotMatch(page.html, /<strong>Signed in/);
    assert.match(page.html, /href="\/settings\/security\/log">See your security log/);
  });

  it("costs the same few SQL statements however much the account holds", async () => {
    const user = await buildUser();
    const other = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const add = async (n: number) => {
      for (let i = 0; i < 3; i++) {
        const org = await buildOrg(other, { slug: `o${n}-${i}` });
        await addMember(org, user, "admin");
        await invitationTo(org, user.email, other.id);
        await buildAccessToken(t.ctx, user, { expiresInDays: 5 });
      }
    };
    await add(0);
    await client.get("/");
    const small = await statementsOf(client, "/");
    await add(1);
    const large = await statementsOf(client, "/");
    assert.ok(large.length <= 8, `GET / issued ${large.length} statements:\n${large.join("\n")}`);
    assert.equal(large.length, small.length, "no statement per organization, token or invitation");
  });

  it("keeps the landing page for visitors who are not signed in", async () => {
    const page = await new TestClient(t.baseUrl).get("/");
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /Recent security activity/);
  });
});
