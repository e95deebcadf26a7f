import type { AppContext } from "../context";
import type { UserRow } from "../db/users";
import { verifyPassword } from "../auth/passwords";
import { assertNotLimited } from "../http/rate-limits";

/**
 * Checks the signed-in user's current password before a sensitive change (email change, account
 * deletion). A stolen session cookie alone is then not enough to take the account over. Failures
 * count against the account in the failed-sign-in limiter (under their own key), so the form cannot
 * be used to guess the password faster than the login page allows.
 */
export async function checkCurrentPassword(ctx: AppContext, user: Pick<UserRow, "id" | "password_hash">, password: string): Promise<boolean> {
  const key = `reauth:${user.id}`;
  await assertNotLimited(ctx.limits.loginFailuresPerAccount, key);
  const ok = await verifyPassword(user.password_hash, password);
  if (ok) await ctx.limits.loginFailuresPerAccount.delete(key);
  else await ctx.limits.loginFailuresPerAccount.penalty(key, 1);
  return ok;
}
