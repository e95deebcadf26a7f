import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { NextFunction, Request, Response } from "express";
import type { Knex } from "knex";
import type { Config } from "../config";
import { HttpError } from "../lib/errors";
import { BatchedRateLimiter } from "./batched-rate-limit";

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
  loginFailuresPerAccount: RateLimiterPostgres;
  signupPerIp: RateLimiterPostgres;
  emailPerIp: RateLimiterPostgres;
  emailPerAccount: RateLimiterPostgres;
  apiPerToken: BatchedRateLimiter;
  // Organizations (issue 6): invitations sent or resent per organization, so a compromised or
  // careless admin account cannot turn the invitation form into a mail cannon.
  invitationsPerOrg: RateLimiterPostgres;
}

/** Organizations (issue 6): how many invitations one organization may send or resend per hour. */
export const INVITATIONS_PER_ORG_PER_HOUR = 30;

/** Creates the limiters on the given Knex instance. */
export function createRateLimits(config: Config, knex: Knex): RateLimits {
  const make = (keyPrefix: string, points: number, duration = config.rateLimits.windowSeconds) =>
    new RateLimiterPostgres({
      storeClient: knex,
      storeType: "knex",
      tableName: "rate_limits",
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
    signupPerIp: make("signup-ip", r.signupPerIp),
    emailPerIp: make("email-ip", r.emailPerIp),
    emailPerAccount: make("email-account", r.emailPerAccount),
    apiPerToken: new BatchedRateLimiter({ knex, limit: r.apiPerToken, windowSeconds: 60 }),
    // Organizations (issue 6): 30 invitations per organization per hour.
    invitationsPerOrg: make("invitations-org", INVITATIONS_PER_ORG_PER_HOUR, 3600),
  };
}

/** The error thrown when a limit is exhausted; rendered as a 429 page with a Retry-After header. */
export class RateLimitedError extends HttpError {
  constructor(public readonly retryAfterSeconds: number) {
    super(429, `Too many attempts. Please wait ${describeWait(retryAfterSeconds)} and try again.`);
  }
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** Consumes one point for `key`, throwing RateLimitedError when the limit is exhausted. */
export async function consumeOrThrow(limiter: RateLimiterPostgres | BatchedRateLimiter, key: string): Promise<void> {
  if (limiter instanceof BatchedRateLimiter) {
    const retryAfterSeconds = limiter.consume(key);
    if (retryAfterSeconds !== undefined) throw new RateLimitedError(retryAfterSeconds);
    return;
  }
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new RateLimitedError(Math.ceil(err.msBeforeNext / 1000));
    throw err;
  }
}

/**
 * Throws RateLimitedError when `key` has already used up its points, without consuming one;
 * otherwise gives back how many it has used.
 */
export async function assertNotLimited(limiter: RateLimiterPostgres, key: string): Promise<number> {
  const res = await limiter.get(key);
  if (res && res.consumedPoints >= limiter.points) throw new RateLimitedError(Math.ceil(res.msBeforeNext / 1000));
  return res?.consumedPoints ?? 0;
}

/** Middleware consuming one point per request from the client IP. */
export function limitByIp(limiter: RateLimiterPostgres) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    await consumeOrThrow(limiter, req.ip ?? "unknown");
    next();
  };
}
