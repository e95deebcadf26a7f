import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import { consumeEmailCode, replaceEmailCode } from "../db/email-codes";
import { findUserById, updateUser, type UserRow } from "../db/users";
import { confirmEmailMail } from "../emails/confirm-email";
import { hashToken, randomToken } from "../lib/tokens";
import { countIdentitiesForUser, listIdentitiesForUser, type IdentityRow } from "../db/identities";
import { settleUnvouchedIdentities, type ConfirmationSettlement, type HeldIdentity } from "./account-recovery";
import { RESET_MINUTES } from "./password-reset";
import type { RequestMeta } from "./request-meta";

/** How long a confirmation link works. */
export const CONFIRMATION_HOURS = 48;

/**
 * Issues a new confirmation link for the user's address (replacing any earlier one) and queues the
 * mail in the caller's transaction.
 */
export async function issueEmailConfirmation(ctx: AppContext, user: Pick<UserRow, "id" | "username" | "email">, q: Executor): Promise<void> {
  const token = randomToken();
  await replaceEmailCode(
    {
      user_id: user.id,
      purpose: "email_confirmation",
      token_hash: hashToken(token),
      email: user.email,
      expires_at: new Date(Date.now() + CONFIRMATION_HOURS * 3600_000),
    },
    q,
  );
  await ctx.mail.queue(confirmEmailMail({ userId: user.id, to: user.email, username: user.username, token, hours: CONFIRMATION_HOURS }), q);
}

/** What confirming an address did. */
export interface Confirmation extends ConfirmationSettlement {
  user: UserRow;
  /**
   * Set when removing unproven identities left the account with no way to sign in: a fresh
   * password-reset code for the person who just proved the address, to choose a password now.
   */
  resetToken?: string;
}

/**
 * Confirms an address with a mailed token. The token is consumed (single use) and only counts when
 * the account's address is still the one it was sent to. In the same transaction, identities that
 * were attached before the address was proven are settled (services/account-recovery.ts): kept
 * only when this browser showed it holds them (`held`), removed otherwise. A reset code is handed
 * out when that removal leaves no way in; following the mailed link proved the address, which is
 * all a reset link proves too. Returns undefined for an unknown, used or expired link.
 */
export async function confirmEmail(token: string, meta: RequestMeta, held?: HeldIdentity): Promise<Confirmation | undefined> {
  return db.transaction(async (trx) => {
    const row = await consumeEmailCode(hashToken(token), "email_confirmation", trx);
    if (!row) return undefined;
    const user = await findUserById(row.user_id, trx);
    if (!user || user.email.toLowerCase() !== row.email?.toLowerCase()) return undefined;
    if (user.email_confirmed_at) return { user, kept: [], removed: [] };
    return completeConfirmation(user, undefined, held, meta, trx);
  });
}

/**
 * Marks an unconfirmed account's address proven, moving it to `email` first when the link was
 * mailed to a corrected address (services/unconfirmed-address.ts), and settles the identities
 * attached before (see confirmEmail), all in the caller's transaction.
 */
export async function completeConfirmation(user: UserRow, email: string | undefined, held: HeldIdentity | undefined, meta: RequestMeta, trx: Executor): Promise<Confirmation> {
  const updated = await updateUser(user.id, { ...(email ? { email } : {}), email_confirmed_at: new Date() }, trx);
  const settlement = await settleUnvouchedIdentities(user.id, held, meta, trx);
  if (settlement.removed.length === 0 || updated.password_hash || (await countIdentitiesForUser(user.id, trx)) > 0) return { user: updated, ...settlement };
  const resetToken = randomToken();
  await replaceEmailCode(
    { user_id: user.id, purpose: "password_reset", token_hash: hashToken(resetToken), email: updated.email, expires_at: new Date(Date.now() + RESET_MINUTES * 60_000) },
    trx,
  );
  return { user: updated, ...settlement, resetToken };
}

/** The identities attached to an account before its address was proven: what confirming may remove. */
export async function listUnvouchedIdentities(userId: number): Promise<IdentityRow[]> {
  return (await listIdentitiesForUser(userId)).filter((i) => !i.vouched_for_address);
}
