/**
 * "This wasn't me": the link in every security mail (src/emails/mailer.ts gives each its own
 * one-time code). Following it and confirming with the account's password ends, in one step and one
 * transaction, everything an intruder could be holding on to: every session, every personal access
 * token (CLI sign-ins included, they are tokens), every CLI sign-in not yet redeemed, pending email
 * changes, and the account's other "This wasn't me" codes; identities attached before the address
 * was proven go too, and the owner may disconnect the others (services/account-recovery.ts).
 *
 * Why both proofs: the link alone proves the mailbox, which an intruder who changed nothing else
 * does not read but a reader of a shared or leaked mailbox might; the password alone is what an
 * intruder may have. Together they are the owner. An owner without a password (provider sign-in
 * only) or who forgot it resets it instead: the reset is itself a fresh proof of the mailbox and
 * ends every session, with tokens revoked by default.
 *
 * Like a reset link, a code works only while it was mailed to the account's current address
 * (src/db/email-codes.ts), and only once: it is consumed in the transaction that acts, after the
 * password was checked. A wrong password spends a guess from the account's one budget, reserved
 * before argon2 (src/services/password-attempts.ts), and does not use up the link.
 */
import type { AppContext } from "../context";
import { verifyPassword } from "../auth/passwords";
import { db } from "../db/knex";
import { consumeEmailCodeToCurrentAddress, deleteEmailCodesForUser, findLiveEmailCodeToCurrentAddress } from "../db/email-codes";
import { deleteAuthorizationCodesForUser } from "../db/oauth-authorization-codes";
import { endSessionsForUser } from "../db/sessions";
import { findUserById, lockUserById, type UserRow } from "../db/users";
import { hashToken } from "../lib/tokens";
import { applyResetChoices, type RecoverySummary } from "./account-recovery";
import { clearPasswordAttempts, reserveAccountAttempt } from "./password-attempts";
import { RateLimitedError } from "./rate-limits";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** The account a live "This wasn't me" link belongs to, or undefined (unknown, used, expired, or mailed to a former address). */
export async function findUserForNotMeCode(token: string): Promise<UserRow | undefined> {
  const row = await findLiveEmailCodeToCurrentAddress(hashToken(token), "not_me");
  return row ? findUserById(row.user_id) : undefined;
}

export type SecureAccountResult =
  | { ok: true; user: UserRow; sessionsEnded: number; recovery: RecoverySummary }
  | { ok: false; reason: "invalid_link" | "no_password" | "wrong_password" };

/**
 * Secures the account of a "This wasn't me" link once `password` is the account's (see the module
 * comment). Throws RateLimitedError (429) when the account's guess budget is used up: the person
 * holds a mailed link to this account, so there is no account's existence to hide.
 */
export async function secureAccount(ctx: AppContext, token: string, password: string, disconnectIdentities: boolean, meta: RequestMeta): Promise<SecureAccountResult> {
  const tokenHash = hashToken(token);
  const pending = await findLiveEmailCodeToCurrentAddress(tokenHash, "not_me");
  const user = pending && (await findUserById(pending.user_id));
  if (!user) return { ok: false, reason: "invalid_link" };
  if (!user.password_hash) return { ok: false, reason: "no_password" };
  const turn = await reserveAccountAttempt(ctx, user.id);
  if (!turn.ok) throw new RateLimitedError(turn.retryAfterSeconds, "login-account");
  if (!(await verifyPassword(user.password_hash, password))) return { ok: false, reason: "wrong_password" };
  await clearPasswordAttempts(ctx, user.id);

  const done = await db.transaction(async (trx) => {
    const locked = await lockUserById(user.id, trx);
    // Consumed only now, and only while still mailed to the current address: of two submissions
    // at once, one acts and the other finds the link used.
    const row = locked && (await consumeEmailCodeToCurrentAddress(tokenHash, "not_me", trx));
    if (!locked || !row) return undefined;
    // The password checked above must still be the account's: a change in between would be news.
    if (locked.password_hash !== user.password_hash) return undefined;
    const sessionsEnded = await endSessionsForUser(locked.id, undefined, trx);
    const recovery = await applyResetChoices(locked.id, { revokeTokens: true, disconnectIdentities }, meta, trx);
    await deleteAuthorizationCodesForUser(locked.id, trx);
    await deleteEmailCodesForUser(locked.id, "email_change", trx);
    await deleteEmailCodesForUser(locked.id, "not_me", trx);
    await recordSecurityEvent(locked.id, "account.secured", meta, { sessions_ended: sessionsEnded, tokens_revoked: recovery.tokensRevoked.length, identities_removed: recovery.identitiesRemoved.length }, trx);
    return { user: locked, sessionsEnded, recovery };
  });
  return done ? { ok: true, ...done } : { ok: false, reason: "invalid_link" };
}
