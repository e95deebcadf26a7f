import type { AppContext } from "../context";
import { findUserByLogin, updateUser, type UserRow } from "../db/users";
import { hashPassword, needsRehash, verifyPassword } from "../auth/passwords";
import { assertNotLimited } from "../http/rate-limits";

/**
 * Checks a username-or-email and password. Returns the user or undefined; never says which part was
 * wrong. An unknown login still costs one argon2 verification (verifyPassword's dummy), so timing
 * does not reveal whether the account exists. Failures count against the login name (not only the
 * IP), which stops one account being guessed from many addresses; success clears the count.
 */
export async function authenticateWithPassword(ctx: AppContext, login: string, password: string): Promise<UserRow | undefined> {
  const accountKey = login.trim().toLowerCase();
  const failures = await assertNotLimited(ctx.limits.loginFailuresPerAccount, accountKey);
  const user = await findUserByLogin(login.trim());
  const ok = await verifyPassword(user?.password_hash, password);
  if (!user || !ok) {
    await ctx.limits.loginFailuresPerAccount.penalty(accountKey, 1);
    return undefined;
  }
  // Nothing to clear after a clean record: a sign-in spends no write on it.
  if (failures > 0) await ctx.limits.loginFailuresPerAccount.delete(accountKey);
  if (needsRehash(user.password_hash!)) {
    return updateUser(user.id, { password_hash: await hashPassword(password) });
  }
  return user;
}
