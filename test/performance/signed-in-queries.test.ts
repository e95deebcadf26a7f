import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { TestClient } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";
import { statementsDuring } from "../helpers/statements";

/**
 * A signed-in page costs a small, fixed number of SQL statements, the session and its user read in
 * one of them, with no write (the idle expiry is pushed at most every few minutes), and the count
 * does not grow with the user's data: no query per row. A signed-out page view writes nothing.
 */
const PAGES = [
  "/",
  "/settings/profile",
  "/settings/account",
  "/settings/sessions",
  "/settings/identities",
  "/settings/tokens",
  "/settings/notifications",
  "/settings/organizations",
  "/orgs/acme-0",
  "/orgs/acme-0/members",
];
const MAX_STATEMENTS = 8;
const WRITE = /^\s*(insert|update|delete|merge)\b/i;

/** The statements a GET of `path` issues (after one warm-up request), and the page's status. */
async function statementsOf(client: TestClient, path: string): Promise<{ all: string[]; status: number }> {
  await client.get(path);
  let status = 0;
  // Leaving out transaction control hides no statement of the page's: GET pages open no transaction.
  const all = await statementsDuring(async () => (status = (await client.get(path)).status));
  return { all, status };
}

async function addData(client: TestClient, round: number) {
  for (let i = 0; i < 3; i++) {
    const n = round * 3 + i;
    await client.submit("/orgs/new", { name: `Acme ${n}`, slug: `acme-${n}` });
    await client.submit("/settings/tokens", { description: `token ${n}`, expires_in_days: "30" });
  }
}

describe("SQL statements per page", () => {
  const t = useTestApp();

  it(`every signed-in page stays within ${MAX_STATEMENTS} statements, writes nothing, and does not grow with the user's data`, async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await addData(client, 0);
    const small = new Map<string, number>();
    for (const path of PAGES) small.set(path, (await statementsOf(client, path)).all.length);
    await addData(client, 1);
    for (const path of PAGES) {
      const { all, status } = await statementsOf(client, path);
      assert.equal(status, 200, path);
      assert.ok(all.length <= MAX_STATEMENTS, `${path} issued ${all.length} statements:\n${all.join("\n")}`);
      assert.deepEqual(all.filter((sql) => WRITE.test(sql)), [], `${path} wrote`);
      assert.equal(all.filter((sql) => /from sessions as s left join users/i.test(sql)).length, 1, `${path}: the session and user in one query`);
      assert.equal(all.filter((sql) => /from "users" where "id"/i.test(sql)).length, 0, `${path}: no second user lookup`);
      // Three more organizations and tokens would add three statements to a page that queries per row.
      assert.equal(all.length, small.get(path), `${path}: ${small.get(path)} statements with 3 orgs and tokens, ${all.length} with 6`);
    }
  });

  it("a signed-out visitor's page views write nothing", async () => {
    const client = new TestClient(t.baseUrl);
    for (const path of ["/", "/login", "/signup", "/password/forgot", "/u/nobody"]) {
      const { all } = await statementsOf(client, path);
      assert.deepEqual(all.filter((sql) => WRITE.test(sql)), [], `${path} wrote`);
    }
  });
});
