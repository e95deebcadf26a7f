import type { AppContext } from "../context";
import type { UserRow } from "../db/users";
import { verifyPassword } from "../auth/passwords";
import { RateLimitedError } from "./rate-limits";
import { clearPasswordAttempts, reserveAccountAttempt } from "./password-attempts";

/**
 * Checks the signed-in user's current password as a fresh proof of identity: on the web at
 * /settings/reauthenticate (sudo mode, before every sensitive action), and on the API before an
 * email change. A stolen session cookie or token alone is then not enough to take the account over.
 *
 * Each check spends a guess from the same per-account budget as the sign-in form, reserved before
 * argon2 runs (src/services/password-attempts.ts), so these forms cannot be used to guess the
 * password faster than the login page allows, nor in parallel bursts. A used-up budget is a 429
 * here: the asker is signed in, so there is no account's existence to hide.
 */
export async function checkCurrentPassword(ctx: AppContext, user: Pick<UserRow, "id" | "password_hash">, password: string): Promise<boolean> {
  const turn = await reserveAccountAttempt(ctx, user.id);
  if (!turn.ok) throw new RateLimitedError(turn.retryAfterSeconds, "login-account");
  const ok = await verifyPassword(user.password_hash, password);
  if (ok) await clearPasswordAttempts(ctx, user.id);
  return ok;
}
