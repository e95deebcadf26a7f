import type { AppContext } from "../context";
import { RateLimitedError, reservePoint } from "./rate-limits";

/**
 * The budget of second-factor guesses per account (RATE_LIMIT_TWO_FACTOR_PER_ACCOUNT per window),
 * shared by the sign-in step, re-authentication and every form that asks for a code, TOTP and
 * recovery codes alike. It follows src/services/password-attempts.ts:
 * - keyed on the account, so signing in again with the password (which an attacker holding it can
 *   do at will) does not start a fresh budget: six digits would otherwise fall to repetition;
 * - a point is reserved in one statement before the code is checked, so a burst of parallel wrong
 *   codes gets at most the budget checked, never the burst;
 * - a right code gives the budget back.
 * Over budget the answer is 429: whoever asks has passed the first factor, so there is no
 * account's existence to hide.
 */
export async function reserveTwoFactorAttempt(ctx: AppContext, userId: number): Promise<void> {
  const turn = await reservePoint(ctx.limits.twoFactorFailuresPerAccount, `account:${userId}`);
  if (!turn.ok) throw new RateLimitedError(turn.retryAfterSeconds, "two-factor-account");
}

/** Gives back the budget after a right code. */
export async function clearTwoFactorAttempts(ctx: AppContext, userId: number): Promise<void> {
  await ctx.limits.twoFactorFailuresPerAccount.delete(`account:${userId}`);
}
