import type { AppContext } from "../context";
import { findUserByLogin, updateUser, type UserRow } from "../db/users";
import { hashPassword, needsRehash, verifyPassword } from "../auth/passwords";
import { rateLimitRefusals, signIns } from "../metrics/registry";
import { clearPasswordAttempts, reserveAccountAttempt, reserveTypedLoginAttempt } from "./password-attempts";

/**
 * Checks a username-or-email and password. Returns the user or undefined; never says which part was
 * wrong, nor whether the account exists.
 *
 * The steps are the same for a known and an unknown login, so neither the answer nor its timing
 * tells them apart: one lookup; one guess reserved for the text typed (429 once that text has used
 * its budget); one reserved for the account (for an unknown login, a key of its own); then one
 * argon2 verification. The verification is against the account's hash only when the account still
 * has guesses left; otherwise, and for an unknown login or a provider-only account, it is against
 * verifyPassword's dummy and the answer is "wrong", even for the right password. Why the budget is
 * reserved before argon2, keyed on the account's id, and why a locked account answers like a wrong
 * password: src/services/password-attempts.ts.
 */
export async function authenticateWithPassword(ctx: AppContext, login: string, password: string): Promise<UserRow | undefined> {
  const typed = login.trim();
  const user = await findUserByLogin(typed);
  await reserveTypedLoginAttempt(ctx, typed);
  const account = await reserveAccountAttempt(ctx, user?.id, typed);
  // Refused without a 429 (it answers like a wrong password), but a refusal all the same.
  if (!account.ok) rateLimitRefusals.inc({ limit: "login-account" });
  const candidate = account.ok ? user : undefined;
  const ok = await verifyPassword(candidate?.password_hash, password);
  if (!candidate || !ok) {
    signIns.inc({ method: "password", result: "failure" });
    return undefined;
  }
  await clearPasswordAttempts(ctx, candidate.id, [typed]);
  if (needsRehash(candidate.password_hash!)) {
    return updateUser(candidate.id, { password_hash: await hashPassword(password) });
  }
  return candidate;
}
