import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { insertIdentity } from "../../src/db/identities";
import { findUserById } from "../../src/db/users";
import { pruneUnconfirmedAccounts, UNCONFIRMED_ACCOUNT_DAYS } from "../../src/services/unconfirmed-accounts";
import { useTestApp } from "../helpers/app";
import { TestClient } from "../helpers/client";
import { buildUser } from "../helpers/factories";
import { buildOrg } from "../helpers/orgs";

const PASSWORD = "a long and quiet harbour";

/** Moves an account's creation `days` into the past. */
async function backdate(userId: number, days: number) {
  await db("users").where({ id: userId }).update({ created_at: db.raw("now() - make_interval(secs => ?)", [days * 86_400]) });
}

describe("unconfirmed accounts expire", () => {
  const t = useTestApp();

  it("deletes an account never confirmed within the period, with everything it held, and frees its username and address", async () => {
    // A squatter pre-registers someone else's address and username through the real sign-up form.
    const squatter = new TestClient(t.baseUrl);
    assert.equal((await squatter.submit("/signup", { username: "ana", email: "ana@example.test", password: PASSWORD })).status, 200);
    const held = (await db("users").where({ username: "ana" }).first())!;
    await insertIdentity({ user_id: held.id, provider: "github", provider_user_id: "4242", provider_username: "mallory", avatar_url: null, vouched_for_address: false });
    await backdate(held.id, UNCONFIRMED_ACCOUNT_DAYS + 0.01);

    assert.equal(await pruneUnconfirmedAccounts(), 1);
    assert.equal(await findUserById(held.id), undefined);
    for (const table of ["identities", "email_codes", "security_events", "sessions"]) {
      assert.equal(Number((await db(table).where({ user_id: held.id }).count({ n: "*" }))[0]!.n), 0, table);
    }

    // The real owner can now sign up with the same username and address.
    const owner = new TestClient(t.baseUrl);
    assert.equal((await owner.submit("/signup", { username: "ana", email: "ana@example.test", password: PASSWORD })).status, 200);
    const fresh = await db("users").where({ username: "ana" }).first();
    assert.ok(fresh && fresh.id !== held.id);
  });

  it("keeps unconfirmed accounts younger than the period and every confirmed account, however old", async () => {
    const young = await buildUser({ confirmed: false });
    await backdate(young.id, UNCONFIRMED_ACCOUNT_DAYS - 0.01);
    const old = await buildUser();
    await backdate(old.id, 365);
    assert.equal(await pruneUnconfirmedAccounts(), 0);
    assert.ok(await findUserById(young.id));
    assert.ok(await findUserById(old.id));
  });

  it("never removes an organization's owner (the one-owner rule would refuse the whole delete)", async () => {
    const owner = await buildUser({ confirmed: false });
    await buildOrg(owner);
    const other = await buildUser({ confirmed: false });
    await backdate(owner.id, UNCONFIRMED_ACCOUNT_DAYS + 1);
    await backdate(other.id, UNCONFIRMED_ACCOUNT_DAYS + 1);
    assert.equal(await pruneUnconfirmedAccounts(), 1);
    assert.ok(await findUserById(owner.id));
    assert.equal(await findUserById(other.id), undefined);
  });
});
