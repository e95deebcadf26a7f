import type { AppContext } from "../context";
import { db } from "../db/knex";
import { RATE_LIMITS_TABLE, RateLimitedError, reservePoint, type Reservation } from "./rate-limits";

/**
 * The one budget of password guesses per account (RATE_LIMIT_LOGIN_PER_ACCOUNT per window), shared
 * by every place that checks a password: sign-in by username or by email, and the current password
 * asked again before a sensitive change on the web or the API. Were the budgets separate, each form
 * would add its own guesses to the others'.
 *
 * Rules, and why:
 * - A point is reserved before argon2 runs and only given back when the password was right. Counting
 *   after the check let a burst of parallel guesses all pass a check that none of them had counted
 *   yet; reserved first, at most the limit of guesses is ever evaluated (see reservePoint).
 * - The budget is keyed on the account's id once the account is found, never on the text typed.
 *   Text keys split one account into many: "erin", "ERIN", "erİn" and erin's address are one account
 *   to PostgreSQL's citext, but JavaScript folds case differently, so a locked "erin" could still be
 *   guessed as "erİn".
 * - Sign-in also counts the text typed (folded and normalized), known account or not. That is what
 *   throttles logins that match no account, and it decides the answer: the sign-in form says "too
 *   many attempts" only when the text typed has used its budget. An account locked through another
 *   spelling answers like a wrong password, after the same argon2 work (against the dummy hash), and
 *   its right password is refused all the same. If the lock showed under every spelling, an attacker
 *   could lock an account by its public username and then try addresses one at a time: the address
 *   that answered "too many attempts" at once would be that account's.
 */

/** The budget key of an account. */
export function accountAttemptKey(userId: number): string {
  return `account:${userId}`;
}

/** The budget key of a text typed into the sign-in form: trimmed, NFKC-normalized, lowercased. */
export function typedLoginKey(login: string): string {
  return `typed:${login.trim().normalize("NFKC").toLowerCase()}`;
}

/**
 * Reserves one guess of the text typed at sign-in; throws RateLimitedError (429) when it has used
 * its budget, whether or not an account matches it.
 */
export async function reserveTypedLoginAttempt(ctx: AppContext, login: string): Promise<void> {
  const turn = await reservePoint(ctx.limits.loginFailuresPerAccount, typedLoginKey(login));
  if (!turn.ok) throw new RateLimitedError(turn.retryAfterSeconds, "login-typed");
}

/**
 * Reserves one guess of an account's password; not ok when the account has used its budget. For a
 * login that matches no account pass `undefined` and the typed text: the same statement runs against
 * a key of its own, so both cases cost the same work.
 */
export function reserveAccountAttempt(ctx: AppContext, userId: number | undefined, login = ""): Promise<Reservation> {
  const key = userId === undefined ? `unknown:${typedLoginKey(login)}` : accountAttemptKey(userId);
  return reservePoint(ctx.limits.loginFailuresPerAccount, key);
}

/**
 * Gives back what a right password reserved: the account's count, and that of the texts it was
 * reached by. A right password ends the guessing it was counted against.
 */
export async function clearPasswordAttempts(ctx: AppContext, userId: number, logins: string[] = []): Promise<void> {
  const limiter = ctx.limits.loginFailuresPerAccount;
  // One statement for every key (the limiter's own delete takes one key per statement), named as the
  // limiter stores them: a successful sign-in is the hot path that pays for this.
  const keys = [accountAttemptKey(userId), ...logins.map(typedLoginKey)].map((key) => limiter.getKey(key));
  await db(RATE_LIMITS_TABLE).whereIn("key", keys).delete();
}
