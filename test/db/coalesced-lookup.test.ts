import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { statementsDuring } from "../helpers/statements";
import { CoalescedLookup } from "../../src/db/coalesced-lookup";
import { db } from "../../src/db/knex";

/**
 * The rules a coalesced lookup keeps, on a table of its own: lookups made in one turn share one
 * statement and each gets only its own key's rows; a lookup made after a statement left goes into the
 * next one and sees what changed in between; a failed statement fails each lookup in it.
 */
describe("coalesced lookups", () => {
  useTestApp();
  const PROBE = "SELECT k, v FROM coalesce_probe WHERE k = ANY($1) ORDER BY v";
  const probe = new CoalescedLookup<string>("coalesce-probe", PROBE, 0);

  // In this file's own database, which is dropped with it.
  before(() => db.raw("CREATE TABLE coalesce_probe (k text NOT NULL, v int NOT NULL)"));
  // After the app's own reset, which empties every table.
  beforeEach(() => db.raw("INSERT INTO coalesce_probe VALUES ('a', 2), ('b', 3), ('a', 1)"));

  const onlyProbes = (sql: string[]) => sql.filter((s) => s.startsWith("SELECT k"));

  it("sends the keys asked for in one turn as one statement, and gives each lookup its own key's rows", async () => {
    let results: unknown[][][] = [];
    const sent = await statementsDuring(async () => {
      results = await Promise.all(["a", "b", "missing", "a"].map((k) => probe.rowsFor(k)));
    });
    assert.equal(onlyProbes(sent).length, 1, "one statement for four lookups");
    assert.deepEqual(results, [[["a", 1], ["a", 2]], [["b", 3]], [], [["a", 1], ["a", 2]]]);
  });

  it("sends a lookup made after a statement left in the next one, which sees what changed in between", async () => {
    let later: unknown[][] = [];
    const sent = await statementsDuring(async () => {
      await probe.rowsFor("b").then(async (first) => {
        assert.deepEqual(first, [["b", 3]]);
        await db.raw("DELETE FROM coalesce_probe WHERE k = 'b'");
        later = await probe.rowsFor("b");
      });
    });
    assert.equal(onlyProbes(sent).length, 2);
    assert.deepEqual(later, [], "the row deleted before the second lookup is not found by it");
  });

  it("asks for at most 100 keys per statement", async () => {
    const keys = Array.from({ length: 150 }, (_, i) => (i === 149 ? "b" : `k${i}`));
    let last: unknown[][] = [];
    const sent = await statementsDuring(async () => {
      const all = await Promise.all(keys.map((k) => probe.rowsFor(k)));
      last = all.at(-1)!;
    });
    assert.equal(onlyProbes(sent).length, 2);
    assert.deepEqual(last, [["b", 3]]);
  });

  it("fails every lookup of a statement that fails", async () => {
    const failing = new CoalescedLookup<string>("coalesce-probe-failing", "SELECT k, v / 0 FROM coalesce_probe WHERE k = ANY($1)", 0);
    const outcomes = await Promise.allSettled([failing.rowsFor("a"), failing.rowsFor("b")]);
    assert.deepEqual(outcomes.map((o) => o.status), ["rejected", "rejected"]);
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /division by zero/);
  });
});
