import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Knex } from "knex";
import type { Config } from "../config";
import { RateLimitedError } from "../lib/errors";
import { BatchedRateLimiter } from "./batched-rate-limit";

/** The catalogue's 429, re-exported for the limiters' callers. */
export { RateLimitedError };

/**
 * Rate limits live in PostgreSQL (rate_limits table), so they hold across every app process behind
 * a load balancer. Per-IP limits slow down spraying; per-account limits stop guessing one account's
 * password from many IPs. Numbers are tunable by environment (README). The API's per-token limit,
 * checked on every API request, counts in memory and shares its counts through PostgreSQL once a
 * second instead (src/http/batched-rate-limit.ts, which states its tolerance); `close()` it with
 * the app so that the last second's counts are not lost.
 */
export interface RateLimits {
  loginPerIp: RateLimiterPostgres;
  /** Password guesses per account and per text typed at sign-in: src/services/password-attempts.ts. */
  loginFailuresPerAccount: RateLimiterPostgres;
  /** Wrong second-factor codes per account, across sign-in attempts: src/services/two-factor-attempts.ts. */
  twoFactorFailuresPerAccount: RateLimiterPostgres;
  signupPerIp: RateLimiterPostgres;
  emailPerIp: RateLimiterPostgres;
  emailPerAccount: RateLimiterPostgres;
  apiPerToken: BatchedRateLimiter;
  // Mail to strangers. An invitation goes to an address that never asked for it, so three limits
  // hold at once: per organization (a careless admin), per inviter across every organization (one
  // account creating organizations to multiply the first limit), and per recipient address across
  // every organization (many accounts ganging up on one inbox). Organizations per account caps how
  // many organizations, and so how many per-organization allowances, one account can make.
  invitationsPerOrg: RateLimiterPostgres;
  invitationsPerInviter: RateLimiterPostgres;
  invitationsPerRecipient: RateLimiterPostgres;
  orgsPerAccount: RateLimiterPostgres;
}

/** The table every PostgreSQL limiter counts in. */
export const RATE_LIMITS_TABLE = "rate_limits";

const HOUR = 3600;
const DAY = 86_400;

/** Creates the limiters on the given Knex instance. */
export function createRateLimits(config: Config, knex: Knex): RateLimits {
  const make = (keyPrefix: string, points: number, duration = config.rateLimits.windowSeconds) =>
    new RateLimiterPostgres({
      storeClient: knex,
      storeType: "knex",
      tableName: RATE_LIMITS_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration,
    });
  const r = config.rateLimits;
  return {
    loginPerIp: make("login-ip", r.loginPerIp),
    loginFailuresPerAccount: make("login-account", r.loginPerAccount),
    twoFactorFailuresPerAccount: make("two-factor-account", r.twoFactorPerAccount),
    signupPerIp: make("signup-ip", r.signupPerIp),
    emailPerIp: make("email-ip", r.emailPerIp),
    emailPerAccount: make("email-account", r.emailPerAccount),
    apiPerToken: new BatchedRateLimiter({ knex, limit: r.apiPerToken, windowSeconds: 60 }),
    invitationsPerOrg: make("invitations-org", r.invitationsPerOrg, HOUR),
    invitationsPerInviter: make("invitations-inviter", r.invitationsPerInviter, DAY),
    invitationsPerRecipient: make("invitations-recipient", r.invitationsPerRecipient, DAY),
    orgsPerAccount: make("orgs-account", r.orgsPerAccount, DAY),
  };
}

/** Consumes one point for `key`, throwing RateLimitedError when the limit is exhausted. */
export async function consumeOrThrow(limiter: RateLimiterPostgres | BatchedRateLimiter, key: string): Promise<void> {
  if (limiter instanceof BatchedRateLimiter) {
    const retryAfterSeconds = limiter.consume(key);
    if (retryAfterSeconds !== undefined) throw new RateLimitedError(retryAfterSeconds, "api-token");
    return;
  }
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new RateLimitedError(Math.ceil(err.msBeforeNext / 1000), limiter.keyPrefix);
    throw err;
  }
}

/** The outcome of reserving one point: whether it was within the limit, and when the window ends. */
export interface Reservation {
  ok: boolean;
  retryAfterSeconds: number;
}

/**
 * Reserves one point for `key` before the work it pays for, and says whether it was within the
 * limit. The count goes up in one statement (an upsert that returns the new total), so requests
 * racing each other are counted one after another: with a limit of 10, at most 10 of any number of
 * parallel requests are ever told ok. Reading the count first and adding to it after the work would
 * let every request of a burst pass the read before any of them counted. A point over the limit is
 * counted too, which costs nothing: the key is already shut until its window ends.
 */
export async function reservePoint(limiter: RateLimiterPostgres, key: string): Promise<Reservation> {
  try {
    const res = await limiter.consume(key);
    return { ok: true, retryAfterSeconds: Math.ceil(res.msBeforeNext / 1000) };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.ceil(err.msBeforeNext / 1000) };
    throw err;
  }
}

/**
 * Consumes one point from each limiter for its key, or none when any of them is already used up:
 * all are checked first, so a refusal by one limit (say the recipient's) does not also spend the
 * caller's allowance under the others. Two requests at the same moment may both pass the check;
 * each consume still refuses once its own limit is reached.
 */
export async function consumeAllOrThrow(checks: [RateLimiterPostgres, string][]): Promise<void> {
  for (const [limiter, key] of checks) {
    const used = await limiter.get(key);
    if (used && used.consumedPoints >= limiter.points) throw new RateLimitedError(Math.ceil(used.msBeforeNext / 1000), limiter.keyPrefix);
  }
  for (const [limiter, key] of checks) await consumeOrThrow(limiter, key);
}
