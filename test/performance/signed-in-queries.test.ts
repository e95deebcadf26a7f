import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import type { TestClient } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";

/**
 * A signed-in page costs a small, fixed number of SQL statements through Knex (the session store's
 * read and touch come on top), and the count does not grow with the user's data: no query per row.
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

async function countStatements(client: TestClient, path: string): Promise<number> {
  await client.get(path);
  let count = 0;
  // The mail worker polls the queue on the same pool in the background; its statements are not the page's.
  const listener = (q: { sql: string }) => {
    if (!/outbound_mails|^(BEGIN|COMMIT|ROLLBACK);?$/i.test(q.sql.trim())) count++;
  };
  db.on("query", listener);
  try {
    const res = await client.get(path);
    assert.equal(res.status, 200, path);
  } finally {
    db.off("query", listener);
  }
  return count;
}

async function addData(client: TestClient, round: number) {
  for (let i = 0; i < 3; i++) {
    const n = round * 3 + i;
    await client.submit("/orgs/new", { name: `Acme ${n}`, slug: `acme-${n}` });
    await client.submit("/settings/tokens", { description: `token ${n}`, expires_in_days: "30" });
  }
}

describe("SQL statements per signed-in page", () => {
  const t = useTestApp();

  it(`every page stays within ${MAX_STATEMENTS} statements, however much data the user has`, async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await addData(client, 0);
    const small = new Map<string, number>();
    for (const path of PAGES) small.set(path, await countStatements(client, path));
    await addData(client, 1);
    for (const path of PAGES) {
      const count = await countStatements(client, path);
      assert.ok(count <= MAX_STATEMENTS, `${path} issued ${count} statements`);
      // Three more organizations and tokens would add three statements to a page that queries per row;
      // a once-a-minute last-seen write may add one to either measurement.
      assert.ok(count < small.get(path)! + 3, `${path}: ${small.get(path)} statements with 3 orgs and tokens, ${count} with 6`);
    }
  });
});
