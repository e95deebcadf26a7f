import { performance } from "node:perf_hooks";
import type pg from "pg";

/** Row counts to reach, bench identities included. */
export interface ScaleTargets {
  users: number;
  sessions: number;
  tokens: number;
}

/** The full scale: a large installation's users, their sessions over a month, their tokens. */
export const FULL_SCALE: ScaleTargets = { users: 1_000_000, sessions: 5_000_000, tokens: 1_000_000 };

/** Rows per INSERT ... SELECT: small enough to report progress, large enough to stay fast. */
const BATCH = 500_000;

/** Filler accounts share the bench's one precomputed hash: nobody signs in as them. */
const USERS_SQL = `INSERT INTO users (username, email, password_hash, email_confirmed_at, created_at)
  SELECT 'filler-' || i, 'filler-' || i || '@example.test', $3, now(), now() - (i % 1000) * interval '1 day'
  FROM generate_series($1::bigint, $2::bigint) AS i`;

/**
 * A month of sessions of every kind the table holds: one in five signed out (a pre-session with
 * flow state), one in ten ended, one in seven expired, the rest live, "Keep me signed in" or not.
 * Filler sids are hashes of the row number: unique, and never presented by anyone.
 */
const SESSIONS_SQL = `INSERT INTO sessions (sid, data, user_id, remember, ip, user_agent, created_at, signed_in_at, last_seen_at, expires_at, absolute_expires_at, ended_at)
  SELECT translate(encode(sha256(('filler-session-' || i)::bytea), 'base64'), '+/=', '-_'),
         '{}'::jsonb,
         CASE WHEN i % 5 = 0 THEN NULL ELSE $3::bigint + i % $4::bigint END,
         i % 2 = 0,
         '10.' || (i % 250) || '.' || (i / 250 % 250) || '.' || (i % 7),
         CASE i % 3 WHEN 0 THEN 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' WHEN 1 THEN 'Mozilla/5.0 (Macintosh) Safari/605.1.15' ELSE 'terraform/1.10' END,
         now() - (i % 30) * interval '1 day',
         CASE WHEN i % 5 = 0 THEN NULL ELSE now() - (i % 30) * interval '1 day' END,
         now() - (i % 1440) * interval '1 minute',
         CASE WHEN i % 7 = 0 THEN now() - interval '1 hour' WHEN i % 2 = 0 THEN now() + interval '30 days' ELSE now() + interval '30 minutes' END,
         now() + interval '30 days',
         CASE WHEN i % 10 = 1 THEN now() - interval '1 day' END
  FROM generate_series($1::bigint, $2::bigint) AS i`;

/** Personal tokens with made-up hashes (nobody holds their secrets); one in ten revoked. */
const TOKENS_SQL = `INSERT INTO access_tokens (user_id, description, token_hash, token_prefix, last4, created_via, created_at, last_used_at, revoked_at)
  SELECT $3::bigint + i % $4::bigint, 'filler token ' || i, sha256(('filler-token-' || i)::bytea), 'gth_', lpad((i % 10000)::text, 4, '0'), 'web',
         now() - (i % 365) * interval '1 day',
         CASE WHEN i % 3 = 0 THEN NULL ELSE now() - (i % 30) * interval '1 day' END,
         CASE WHEN i % 10 = 0 THEN now() END
  FROM generate_series($1::bigint, $2::bigint) AS i`;

async function countRows(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

/** Inserts rows numbered from..to in batches with `sql`; returns how many. */
async function fill(client: pg.ClientBase, sql: string, from: number, to: number, extra: unknown[]): Promise<number> {
  for (let start = from; start <= to; start += BATCH) {
    await client.query(sql, [start, Math.min(to, start + BATCH - 1), ...extra]);
  }
  return Math.max(0, to - from + 1);
}

/** The ids of all users, which must be one unbroken range for the filler rows to point into. */
async function userIdRange(client: pg.ClientBase): Promise<{ first: number; span: number }> {
  const { rows } = await client.query<{ first: string; last: string; n: string }>("SELECT min(id) AS first, max(id) AS last, count(*) AS n FROM users");
  const first = Number(rows[0]!.first);
  const span = Number(rows[0]!.last) - first + 1;
  if (span !== Number(rows[0]!.n)) throw new Error("user ids are not contiguous; the scale seed expects a fresh bench database");
  return { first, span };
}

/**
 * Grows the bench database to `targets` with INSERT ... SELECT over generate_series (the database
 * makes the rows; nothing crosses the wire), then ANALYZE, so the planner sees the real sizes.
 * Reports each step's time through `log`.
 *
 * The filler is written with session_replication_role = replica, which skips triggers and foreign
 * key checks for this connection only. The one trigger on users checks that a username is not an
 * organization's slug, under a per-row advisory lock that would exhaust the lock table on a batch
 * this large; the bench has no organizations, and every user_id points into the checked id range,
 * so the rows are the same as with the checks. Constraints, indexes and unique checks still apply.
 */
export async function seedScale(client: pg.ClientBase, targets: ScaleTargets, passwordHash: string, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  await client.query("SET session_replication_role = replica");
  const step = async (label: string, work: () => Promise<number | void>) => {
    const t = performance.now();
    const n = await work();
    log(`  ${label}${typeof n === "number" ? `: ${n.toLocaleString("en-US")} rows` : ""} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  await step("users", async () => fill(client, USERS_SQL, 1, targets.users - (await countRows(client, "users")), [passwordHash]));
  const { first, span } = await userIdRange(client);
  await step("sessions", async () => fill(client, SESSIONS_SQL, 1, targets.sessions - (await countRows(client, "sessions")), [first, span]));
  await step("access tokens", async () => fill(client, TOKENS_SQL, 1, targets.tokens - (await countRows(client, "access_tokens")), [first, span]));
  await client.query("RESET session_replication_role");
  await step("ANALYZE", async () => void (await client.query("ANALYZE")));
  log(`  seeding took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
