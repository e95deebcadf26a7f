import crypto from "node:crypto";
import type pg from "pg";
import { generateAccessToken, ACCESS_TOKEN_PREFIXES } from "../src/auth/access-token-format";
import { REMEMBERED_SESSION_SECONDS } from "../src/db/sessions";
import { sessionCookieHeader } from "./session-cookie";

/** The accounts, signed-in sessions and personal tokens the load rotates over. */
export interface BenchIdentities {
  /** Usernames of confirmed password accounts, all with `password`. */
  logins: string[];
  password: string;
  /** One Cookie header per signed-in session. */
  cookies: string[];
  /** One personal access token per account. */
  tokens: string[];
}

/** The password of every bench account. */
export const BENCH_PASSWORD = "correct horse battery staple";

/** Who the seeded sessions say they came from. */
const BENCH_USER_AGENT = "gatehouse-bench/1.0 (autocannon)";

/**
 * Creates `count` confirmed accounts (bench-1, bench-2, ...) sharing one precomputed argon2 hash, a
 * signed-in session for each, written straight into the sessions table with a cookie signed with
 * the app's secret (no sign-in needed), and a live personal access token for each.
 */
export async function seedBenchIdentities(client: pg.ClientBase, count: number, passwordHash: string, sessionSecret: string): Promise<BenchIdentities> {
  const table = await client.query<{ found: string | null }>("SELECT to_regclass('sessions') AS found");
  if (!table.rows[0]?.found) throw new Error("The sessions table is missing: the bench seeds sessions there (migration 20261201120000_create_sessions).");
  const users = await client.query<{ id: number; username: string }>(
    `INSERT INTO users (username, email, password_hash, email_confirmed_at, display_name)
     SELECT 'bench-' || i, 'bench-' || i || '@example.test', $1, now(), 'Bench User ' || i FROM generate_series(1, $2::int) AS i
     RETURNING id, username`,
    [passwordHash, count],
  );
  const ids = users.rows.map((u) => Number(u.id));

  // A "Keep me signed in" session, signed in a moment ago, valid for the whole run however long.
  const sids = ids.map(() => crypto.randomBytes(32).toString("base64url"));
  const expires = new Date(Date.now() + REMEMBERED_SESSION_SECONDS * 1000);
  // user_id decides who is signed in; the cookie's lifetime follows the row, so data stays empty.
  await client.query(
    `INSERT INTO sessions (sid, data, user_id, remember, ip, user_agent, signed_in_at, expires_at, absolute_expires_at)
     SELECT s.sid, '{}', s.user_id, true, '127.0.0.1', $3, now(), $4::timestamptz, $4::timestamptz
     FROM unnest($1::text[], $2::bigint[]) AS s(sid, user_id)`,
    [sids, ids, BENCH_USER_AGENT, expires],
  );

  const tokens = ids.map(() => generateAccessToken(ACCESS_TOKEN_PREFIXES.personal));
  await client.query(
    `INSERT INTO access_tokens (user_id, description, token_hash, token_prefix, last4, created_via)
     SELECT t.user_id, 'bench', decode(t.hash, 'hex'), $4, t.last4, 'web' FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(user_id, hash, last4)`,
    [ids, tokens.map((t) => t.hash.toString("hex")), tokens.map((t) => t.last4), ACCESS_TOKEN_PREFIXES.personal],
  );

  return {
    logins: users.rows.map((u) => u.username),
    password: BENCH_PASSWORD,
    cookies: sids.map((sid) => sessionCookieHeader(sid, sessionSecret)),
    tokens: tokens.map((t) => t.token),
  };
}
