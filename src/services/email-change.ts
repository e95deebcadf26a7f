import type { AppContext } from "../context";
import { db } from "../db/knex";
import { consumeEmailCode, deleteEmailCodesForUser, findPendingEmailCodeForUser, replaceEmailCode } from "../db/email-codes";
import { findUserByEmail, lockUserById, updateUser, type UserRow } from "../db/users";
import { emailChangeConfirmMail } from "../emails/email-change-confirm";
import { emailChangeNoticeMail } from "../emails/email-change-notice";
import { emailChangeTakenMail } from "../emails/email-change-taken";
import { isUniqueViolation } from "../lib/errors";
import { hashToken, randomToken } from "../lib/tokens";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** How long an email-change link works. */
export const EMAIL_CHANGE_MINUTES = 60;

/** A requested change that waits for its link to be followed. */
export interface PendingEmailChange {
  email: string;
  expiresAt: Date;
}

/** The user's pending (unexpired) email change, or undefined. */
export async function pendingEmailChange(userId: number): Promise<PendingEmailChange | undefined> {
  const row = await findPendingEmailCodeForUser(userId, "email_change");
  return row?.email ? { email: row.email, expiresAt: row.expires_at } : undefined;
}

/**
 * Starts moving the account to `newEmail` (the caller has checked the current password). The address
 * changes only when the link mailed to the new address is followed; the old address gets a notice so
 * that its owner hears of it even when someone else holds the session. A newer request replaces the
 * older one (one pending change per user).
 *
 * An address that belongs to another account must get exactly the same answer as a free one, or the
 * form would tell who has an account: the pending change is stored and shown the same way and one mail
 * goes to the new address either way. For a taken address that mail is a link-less notice to its
 * owner, so nobody ever holds a working link, and confirmation re-checks that the address is free.
 */
export async function requestEmailChange(ctx: AppContext, user: UserRow, newEmail: string, meta: RequestMeta): Promise<void> {
  const token = randomToken();
  await db.transaction(async (trx) => {
    await replaceEmailCode(
      { user_id: user.id, purpose: "email_change", token_hash: hashToken(token), email: newEmail, expires_at: new Date(Date.now() + EMAIL_CHANGE_MINUTES * 60_000) },
      trx,
    );
    const holder = await findUserByEmail(newEmail, trx);
    const toNew = holder
      ? emailChangeTakenMail({ userId: holder.id, to: holder.email, username: holder.username })
      : emailChangeConfirmMail({ userId: user.id, to: newEmail, username: user.username, token, minutes: EMAIL_CHANGE_MINUTES });
    await ctx.mail.queue(toNew, trx);
    const notice = emailChangeNoticeMail({ userId: user.id, to: user.email, username: user.username, newEmail, minutes: EMAIL_CHANGE_MINUTES, ip: meta.ip });
    await ctx.mail.queue(notice, trx);
    await recordSecurityEvent(user.id, "email.change_requested", meta, { email: newEmail }, trx);
  });
}

/** Cancels the user's pending email change; its link stops working. True when there was one. */
export async function cancelEmailChange(userId: number, meta: RequestMeta): Promise<boolean> {
  return db.transaction(async (trx) => {
    const pending = await findPendingEmailCodeForUser(userId, "email_change", trx);
    await deleteEmailCodesForUser(userId, "email_change", trx);
    if (pending) await recordSecurityEvent(userId, "email.change_cancelled", meta, { email: pending.email }, trx);
    return !!pending;
  });
}

/**
 * Completes an email change with the mailed token. The token is consumed first (single use, even
 * when the change then fails), and the change only happens when the new address is still free at
 * this moment; the unique index settles two accounts confirming the same address at once. Following
 * the link proves the new address, so it is confirmed as it is set. Returns the updated user, or
 * undefined for an unknown, used, expired or no longer possible change.
 */
export async function confirmEmailChange(token: string, meta: RequestMeta): Promise<UserRow | undefined> {
  try {
    return await db.transaction(async (trx) => {
      const row = await consumeEmailCode(hashToken(token), "email_change", trx);
      if (!row?.email) return undefined;
      const user = await lockUserById(row.user_id, trx);
      if (!user || (await findUserByEmail(row.email, trx))) return undefined;
      const updated = await updateUser(user.id, { email: row.email, email_confirmed_at: new Date() }, trx);
      // Links mailed to the old address die with it: a confirmation link must not confirm anything
      // any more, and a reset link must not let whoever still reads the old mailbox (or gets the
      // address next) set the password of an account that has moved away from it.
      await deleteEmailCodesForUser(user.id, "email_confirmation", trx);
      await deleteEmailCodesForUser(user.id, "password_reset", trx);
      await recordSecurityEvent(user.id, "email.changed", meta, { from: user.email, to: row.email }, trx);
      return updated;
    });
  } catch (err) {
    if (isUniqueViolation(err, "users_email_unique")) return undefined;
    throw err;
  }
}
