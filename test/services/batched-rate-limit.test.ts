import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { BatchedRateLimiter } from "../../src/services/batched-rate-limit";
import { resetData, setupTestDatabase, teardownTestDatabase } from "../helpers/db";
import { watchStatements } from "../helpers/statements";

/**
 * The batched limiter against the real database. Two limiter instances on the same table stand in
 * for two app processes; the tests move their shared clock and call flush() where the once-a-second
 * timer would (its interval is set far out so it never fires by itself here).
 */
const WINDOW_SECONDS = 60;
const WINDOW_MS = WINDOW_SECONDS * 1000;

describe("batched rate limit", () => {
  let dbUrl: string;
  let clock: number;
  const limiters: BatchedRateLimiter[] = [];
  const limiter = (limit: number) => {
    const l = new BatchedRateLimiter({ knex: db, limit, windowSeconds: WINDOW_SECONDS, flushIntervalMs: 3_600_000, now: () => clock });
    limiters.push(l);
    return l;
  };
  const storedCount = async (key: string, windowStart = Math.floor(clock / WINDOW_MS) * WINDOW_MS) => {
    const row = await db("api_request_counts").where({ key, window_start: new Date(windowStart) }).first();
    return row ? Number(row.count) : 0;
  };
  /** How many of `n` requests for `key` the limiter admits. */
  const admitted = (l: BatchedRateLimiter, key: string, n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (l.consume(key) === undefined) ok++;
    return ok;
  };

  before(async () => {
    dbUrl = await setupTestDatabase();
  });
  beforeEach(async () => {
    await resetData();
    // Ten seconds into a window, so that no test crosses a boundary unless it moves the clock.
    clock = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS + 10_000;
  });
  after(async () => {
    for (const l of limiters) await l.close();
    await teardownTestDatabase(dbUrl);
  });

  it("decides in memory, exactly within one process, with no statement per request", async () => {
    const l = limiter(3);
    const sql: string[] = [];
    const stop = watchStatements((text) => sql.push(text));
    try {
      assert.equal(admitted(l, "token-1", 3), 3);
      assert.equal(l.consume("token-1"), WINDOW_SECONDS - 10, "refused until the window ends");
      assert.equal(l.consume("token-2"), undefined, "other keys keep their own count");
    } finally {
      stop();
    }
    assert.deepEqual(sql, []);
    await l.flush();
    assert.equal(await storedCount("token-1"), 3, "refused requests are not counted");
    assert.equal(await storedCount("token-2"), 1);
  });

  it("across two processes: after their flushes both refuse, and the overshoot stays within the stated tolerance", async () => {
    const limit = 10;
    const burst = 4; // what each process admits between two of its flushes (one second's traffic)
    const a = limiter(limit);
    const b = limiter(limit);
    let total = 0;
    for (let round = 0; round < 4; round++) {
      total += admitted(a, "token", burst) + admitted(b, "token", burst);
      await a.flush();
      await b.flush();
    }
    // Tolerance (src/http/batched-rate-limit.ts): a process can overshoot by what the other admitted
    // that it had not yet learned, here at most one burst; and never more than 2 x limit.
    assert.ok(total >= limit, `admitted ${total}, fewer than the limit`);
    assert.ok(total <= limit + burst, `admitted ${total}, more than ${limit} + ${burst}`);
    assert.equal(await storedCount("token"), total, "every admitted request reached the table");
    assert.equal(admitted(a, "token", 1), 0, "process A refuses");
    assert.equal(admitted(b, "token", 1), 0, "process B refuses");

    // A process that learned nothing yet still admits at most the limit on its own.
    const late = limiter(limit);
    assert.equal(admitted(late, "token", limit + 5), limit);
    await late.flush();
    assert.equal(admitted(late, "token", 1), 0, "after its flush it knows the total");
  });

  it("admits again in a new window and prunes ended windows", async () => {
    const a = limiter(2);
    const b = limiter(2);
    const first = Math.floor(clock / WINDOW_MS) * WINDOW_MS;
    assert.equal(admitted(a, "token", 3), 2);
    assert.equal(admitted(b, "token", 3), 2);
    await a.flush();
    await b.flush();
    assert.equal(admitted(a, "token", 1) + admitted(b, "token", 1), 0);

    clock += WINDOW_MS;
    assert.equal(admitted(a, "token", 1), 1, "a new window admits again");
    assert.equal(admitted(b, "token", 1), 1);
    await a.flush();
    await b.flush();
    assert.equal(await storedCount("token"), 2);
    assert.equal(await storedCount("token", first), 4, "the previous window is kept for clocks running behind");

    clock += WINDOW_MS;
    assert.equal(admitted(a, "token", 1), 1);
    await a.flush();
    assert.equal(await storedCount("token", first), 0, "older windows are deleted");
    assert.equal(await storedCount("token", first + WINDOW_MS), 2);
  });

  it("keeps the counts of a failed flush for the next one, and sends what is pending on close", async () => {
    const a = limiter(5);
    assert.equal(admitted(a, "token", 2), 2);
    await db.raw("ALTER TABLE api_request_counts RENAME TO api_request_counts_away");
    try {
      await assert.rejects(a.flush());
    } finally {
      await db.raw("ALTER TABLE api_request_counts_away RENAME TO api_request_counts");
    }
    assert.equal(admitted(a, "token", 5), 3, "the unsent counts still count here");
    await a.close();
    assert.equal(await storedCount("token"), 5);
  });
});
