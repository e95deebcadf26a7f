import type { AppContext } from "../context";
import { db } from "../db/knex";
import { endSessionsForUser } from "../db/sessions";
import { consumeEmailCodeToCurrentAddress, deleteEmailCodesForUser, findLiveEmailCodeToCurrentAddress, replaceEmailCode } from "../db/email-codes";
import { findUserByEmail, findUserById, lockUserById, updateUser, type UserRow } from "../db/users";
import { hashPassword, personalPasswordProblem } from "../auth/passwords";
import { passwordChangedMail } from "../emails/password-changed";
import { passwordResetMail } from "../emails/password-reset";
import { hashToken, randomToken } from "../lib/tokens";
import { ValidationError } from "../lib/errors";
import type { RequestMeta } from "./request-meta";
import { clearPasswordAttempts } from "./password-attempts";
import { recordSecurityEvent } from "./security-log";
import { applyResetChoices, type RecoverySummary, type ResetChoices } from "./account-recovery";

/** How long a reset link works. */
export const RESET_MINUTES = 60;

/**
 * Mails a reset link when an account has this address; does nothing otherwise. The caller answers
 * the same way before this runs, so neither the reply nor its timing says whether the account exists.
 */
export async function requestPasswordReset(ctx: AppContext, email: string): Promise<void> {
  const user = await findUserByEmail(email);
  if (!user) return;
  const token = randomToken();
  await db.transaction(async (trx) => {
    // Replaces the previous code: only the newest link works.
    await replaceEmailCode(
      { user_id: user.id, purpose: "password_reset", token_hash: hashToken(token), email: user.email, expires_at: new Date(Date.now() + RESET_MINUTES * 60_000) },
      trx,
    );
    await ctx.mail.queue(passwordResetMail({ userId: user.id, to: user.email, username: user.username, token, minutes: RESET_MINUTES }), trx);
  });
}

/**
 * The account a live reset link belongs to, or undefined for an unknown, used or expired link, and
 * for a link mailed to an address the account no longer has: a reset link is proof of the mailbox
 * it was sent to, and proves nothing once the account has moved to another one.
 */
export async function findUserForResetToken(token: string): Promise<UserRow | undefined> {
  const row = await findLiveEmailCodeToCurrentAddress(hashToken(token), "password_reset");
  return row ? findUserById(row.user_id) : undefined;
}

export type ResetResult = { ok: true; user: UserRow; recovery: RecoverySummary } | { ok: false; reason: "invalid_link" };

/**
 * Sets a new password from a reset link. In one transaction: the link is consumed (single use), the
 * password replaced, every session of the account ended (whoever knew the old password is out),
 * pending email changes cancelled (an attacker may have started one), the event logged and the
 * owner notified. Following the mailed link proves the address, so it also counts as confirmation.
 * A reset is a recovery: identities attached before the address was proven go, and the owner's
 * `choices` (revoke every token, disconnect every identity) are applied (services/account-recovery.ts).
 * The account's row is locked first and the link consumed only while it was mailed to the account's
 * current address, so a reset cannot slip past an email change confirmed at the same moment. The
 * account's password-guess budget is given back: guesses at the old password are moot, and an owner
 * locked out by someone else's guessing gets in again through the mailbox. A password too close to
 * the username or address is a ValidationError on `password`, before anything is written.
 */
export async function resetPassword(ctx: AppContext, token: string, password: string, meta: RequestMeta, choices: ResetChoices): Promise<ResetResult> {
  const tokenHash = hashToken(token);
  const pending = await findLiveEmailCodeToCurrentAddress(tokenHash, "password_reset");
  const owner = pending && (await findUserById(pending.user_id));
  if (!owner) return { ok: false, reason: "invalid_link" };
  const personal = personalPasswordProblem(password, owner.username, owner.email);
  if (personal) throw new ValidationError({ password: personal });
  const passwordHash = await hashPassword(password);
  const done = await db.transaction(async (trx) => {
    await lockUserById(owner.id, trx);
    const row = await consumeEmailCodeToCurrentAddress(tokenHash, "password_reset", trx);
    if (!row) return undefined;
    const updated = await updateUser(row.user_id, { password_hash: passwordHash, email_confirmed_at: owner.email_confirmed_at ?? new Date() }, trx);
    await endSessionsForUser(updated.id, undefined, trx);
    await deleteEmailCodesForUser(updated.id, "email_change", trx);
    await recordSecurityEvent(updated.id, "password.reset", meta, {}, trx);
    const recovery = await applyResetChoices(updated.id, choices, meta, trx);
    await ctx.mail.queue(passwordChangedMail({ userId: updated.id, to: updated.email, username: updated.username, how: "reset", ip: meta.ip }), trx);
    return { updated, recovery };
  });
  if (!done) return { ok: false, reason: "invalid_link" };
  await clearPasswordAttempts(ctx, done.updated.id, [done.updated.username, done.updated.email]);
  return { ok: true, user: done.updated, recovery: done.recovery };
}
