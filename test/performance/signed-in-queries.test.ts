import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { buildUser, loginAs } from "../helpers/factories";

/**
 * A signed-in page costs a small, fixed number of SQL statements through Knex (the session store's
 * read and touch come on top), however much data the user has: no query per row.
 */
const PAGES: [path: string, maxStatements: number][] = [
  ["/", 4],
  ["/settings/profile", 4],
];

describe("SQL statements per signed-in page", () => {
  const t = useTestApp();

  for (const [path, max] of PAGES) {
    it(`${path} stays within ${max} statements`, async () => {
      const user = await buildUser();
      const client = await loginAs(t.baseUrl, user);
      await client.get(path);
      let count = 0;
      const listener = () => count++;
      db.on("query", listener);
      try {
        const res = await client.get(path);
        assert.equal(res.status, 200);
      } finally {
        db.off("query", listener);
      }
      assert.ok(count <= max, `${path} issued ${count} statements`);
    });
  }
});
