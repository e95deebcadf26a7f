import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { pruneUnconfirmedAccounts, UNCONFIRMED_ACCOUNT_DAYS } from "../../../src/services/unconfirmed-accounts";
import { useTestApp } from "../../helpers/app";
import { TestClient } from "../../helpers/client";
import { buildUser } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { buildOrg } from "../../helpers/orgs";
import { buildScimToken, scim } from "./helpers";

describe("SCIM provisioned accounts", () => {
  const t = useTestApp();

  it("waits past the unconfirmed-account period, and its person finishes it with Forgot password", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner);
    const token = await buildScimToken(org, owner);
    const created = await scim(t.baseUrl, token, "POST", `/scim/v2/orgs/${org.slug}/Users`, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "kim@corp.example" });
    assert.equal(created.status, 201);
    const id = Number(created.body!.id);
    await db("users").where({ id }).update({ created_at: db.raw("now() - make_interval(days => ?)", [UNCONFIRMED_ACCOUNT_DAYS + 1]) });
    assert.equal(await pruneUnconfirmedAccounts(), 0);

    assert.equal((await new TestClient(t.baseUrl).submit("/password/forgot", { email: "kim@corp.example" })).status, 200);
    const mail = await t.mailbox.waitFor("kim@corp.example");
    const path = new URL(linkIn(mail, "/password/reset/")).pathname;
    const client = new TestClient(t.baseUrl);
    const done = await client.submit(path, { password: "a long and quiet harbour", password_confirmation: "a long and quiet harbour" });
    assert.equal(done.status, 302);
    const user = await db("users").where({ id }).first();
    assert.notEqual(user.email_confirmed_at, null);
    assert.notEqual(user.password_hash, null);
    const signIn = await new TestClient(t.baseUrl).submit("/login", { login: "kim@corp.example", password: "a long and quiet harbour" });
    assert.equal(signIn.status, 302);
  });

  it("joins a second organization that provisions the same person at the same moment, still one account", async () => {
    const ownerA = await buildUser();
    const ownerB = await buildUser();
    const a = await buildOrg(ownerA);
    const b = await buildOrg(ownerB);
    const user = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "lee@corp.example" };
    const [tokenA, tokenB] = [await buildScimToken(a, ownerA), await buildScimToken(b, ownerB)];
    // At the same moment: one creates the account, the other waits for it and joins it.
    const [inA, inB] = await Promise.all([scim(t.baseUrl, tokenA, "POST", `/scim/v2/orgs/${a.slug}/Users`, user), scim(t.baseUrl, tokenB, "POST", `/scim/v2/orgs/${b.slug}/Users`, user)]);
    assert.deepEqual([inA.status, inB.status], [201, 201]);
    assert.equal(inB.body!.id, inA.body!.id);
    assert.equal((await db("users").where({ email: "lee@corp.example" })).length, 1);
  });
});
