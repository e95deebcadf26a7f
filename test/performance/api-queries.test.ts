import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { buildUser } from "../helpers/factories";
import { watchStatements } from "../helpers/statements";
import { apiRequest, buildAccessToken } from "../helpers/tokens";

/**
 * An API request costs one statement to authenticate (the token joined to its owner) plus what its
 * endpoint reads, and no write of its own: the rate limit's counts go to PostgreSQL at most once a
 * second for all tokens together, and last_used_at is written at most once a minute.
 */
const N = 30;

interface Counted {
  reads: number;
  limitFlushes: number;
  touches: number;
  prunes: number;
  other: number;
  elapsedMs: number;
}

/** Calls `path` N times with `token`, then sends the limiter's counts, counting the statements. */
async function countCalls(baseUrl: string, token: string, path: string, flush: () => Promise<void>): Promise<Counted> {
  const c: Counted = { reads: 0, limitFlushes: 0, touches: 0, prunes: 0, other: 0, elapsedMs: 0 };
  // The mail worker polls the queue on the same pool in the background; its statements are not the API's.
  const listener = (sql: string) => {
    if (/outbound_mails|^(BEGIN|COMMIT|ROLLBACK);?$/i.test(sql)) return;
    if (/^select/i.test(sql)) c.reads++;
    else if (/^insert into api_request_counts/i.test(sql)) c.limitFlushes++;
    else if (/^update "access_tokens" set "last_used_at"/.test(sql)) c.touches++;
    else if (/^delete from "api_request_counts"/.test(sql)) c.prunes++;
    else c.other++;
  };
  const started = Date.now();
  const stop = watchStatements(listener);
  try {
    for (let i = 0; i < N; i++) {
      const res = await apiRequest(baseUrl, token, "GET", path);
      assert.ok(res.status === 200 || res.status === 204, `${path}: ${res.status}`);
      await res.arrayBuffer();
    }
    await flush();
  } finally {
    stop();
  }
  c.elapsedMs = Date.now() - started;
  return c;
}

/** The writes of a run: a flush at most once a second plus the forced one, one touch, one prune when a minute turns. */
function assertFewWrites(path: string, c: Counted) {
  const writes = c.limitFlushes + c.touches + c.prunes + c.other;
  assert.equal(c.other, 0, `${path}: unexpected statements`);
  assert.ok(c.limitFlushes >= 1 && c.limitFlushes <= 1 + Math.floor(c.elapsedMs / 1000), `${path}: ${c.limitFlushes} limiter flushes in ${c.elapsedMs} ms`);
  assert.equal(c.touches, 1, `${path}: last_used_at is written once`);
  assert.ok(c.prunes <= 1, `${path}: ${c.prunes} prunes`);
  assert.ok(writes * 5 < N, `${path}: ${writes} writes for ${N} requests`);
}

describe("SQL statements per API request", () => {
  const t = useTestApp();
  const flush = () => t.ctx.limits.apiPerToken.flush();

  it(`GET /api/v1/user: 1 read per call (the token with its owner and pending email change), and a handful of writes for ${N} calls`, async () => {
    const user = await buildUser();
    const { row, token } = await buildAccessToken(t.ctx, user);
    await flush();
    const c = await countCalls(t.baseUrl, token, "/api/v1/user", flush);
    assert.ok(c.reads <= N, `${c.reads} reads for ${N} calls`);
    assertFewWrites("/api/v1/user", c);
    const counted = await db("api_request_counts").where({ key: String(row.id) }).sum<{ sum: string }[]>("count as sum").first();
    assert.equal(Number(counted?.sum), N, "every request is counted for the rate limit");
  });

  it("GET /api/v2/ping, which needs nothing but the token: 1 read per call", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user);
    await flush();
    const c = await countCalls(t.baseUrl, token, "/api/v2/ping", flush);
    assert.ok(c.reads <= N, `${c.reads} reads for ${N} calls`);
    assertFewWrites("/api/v2/ping", c);
  });
});
