import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import { consumeEmailCode, deleteEmailCodesForUser, findLiveEmailCode, findPendingEmailCodeForUser, replaceEmailCode } from "../db/email-codes";
import { findUserByEmail, lockUserById, type UserRow } from "../db/users";
import { confirmEmailMail } from "../emails/confirm-email";
import { signupAttemptMail } from "../emails/signup-attempt";
import { isUniqueViolation } from "../lib/errors";
import { hashToken, randomToken } from "../lib/tokens";
import { CONFIRMATION_HOURS, completeConfirmation, issueEmailConfirmation, type Confirmation } from "./email-confirmation";
import type { HeldIdentity } from "./account-recovery";
import type { RequestMeta } from "./request-meta";

/*
 * An account whose address is not confirmed yet may correct it (a typo at sign-up) from the
 * "confirm your email" page. The corrected address is kept in an email_change code, beside its
 * link; users.email stays as it was until the new address is proven. That holds whether the new
 * address is free or belongs to another account, so nothing the person can observe differs
 * between the two (the page, the status, signing in with the address, which stays the old one in
 * both cases): sign-up's rule of never telling who has an account. A taken address's owner gets
 * the sign-up-attempt notice instead of a link, and confirming re-checks that it is still free.
 * The code of a confirmed account is a settings email change instead (services/email-change.ts).
 */

/** The address an unconfirmed account's confirmation link was last sent to: a corrected one, or its own. */
export async function pendingConfirmationAddress(user: Pick<UserRow, "id" | "email">): Promise<string> {
  return (await findPendingEmailCodeForUser(user.id, "email_change"))?.email ?? user.email;
}

/**
 * Moves an unconfirmed account's pending confirmation to `newEmail`: the links sent so far stop
 * working (a link to the mistyped address must not confirm an address the person does not use),
 * and a new one goes to the new address (or its owner's notice, see above).
 */
export async function correctUnconfirmedAddress(ctx: AppContext, user: UserRow, newEmail: string): Promise<void> {
  if (user.email_confirmed_at) return;
  await db.transaction(async (trx) => {
    await deleteEmailCodesForUser(user.id, "email_confirmation", trx);
    await deleteEmailCodesForUser(user.id, "email_change", trx);
    if (newEmail.toLowerCase() === user.email.toLowerCase()) return issueEmailConfirmation(ctx, user, trx);
    await mailCorrection(ctx, user, newEmail, trx);
  });
}

/** Sends a fresh confirmation link to a signed-in, unconfirmed user, at the address last asked for. */
export async function resendConfirmation(ctx: AppContext, user: UserRow): Promise<void> {
  if (user.email_confirmed_at) return;
  await db.transaction(async (trx) => {
    const corrected = (await findPendingEmailCodeForUser(user.id, "email_change", trx))?.email;
    if (corrected) return mailCorrection(ctx, user, corrected, trx);
    await issueEmailConfirmation(ctx, user, trx);
  });
}

/** Stores a link for `address` and mails it there, or mails the address's owner a link-less notice. */
async function mailCorrection(ctx: AppContext, user: UserRow, address: string, trx: Executor): Promise<void> {
  const token = randomToken();
  await replaceEmailCode(
    { user_id: user.id, purpose: "email_change", token_hash: hashToken(token), email: address, expires_at: new Date(Date.now() + CONFIRMATION_HOURS * 3600_000) },
    trx,
  );
  const holder = await findUserByEmail(address, trx);
  const mail = holder
    ? signupAttemptMail({ userId: holder.id, to: holder.email, username: holder.username })
    : confirmEmailMail({ userId: user.id, to: address, username: user.username, token, hours: CONFIRMATION_HOURS });
  await ctx.mail.queue(mail, trx);
}

/**
 * Confirms a corrected address with its mailed token: the account moves to the address and it is
 * proven at once, with the identities settled as any confirmation settles them. Undefined when the
 * token is unknown, used or expired, belongs to a confirmed account (left to confirmEmailChange,
 * unconsumed), or the address was taken in the meantime.
 */
export async function confirmCorrectedAddress(token: string, meta: RequestMeta, held?: HeldIdentity): Promise<Confirmation | undefined> {
  const hash = hashToken(token);
  try {
    return await db.transaction(async (trx) => {
      const live = await findLiveEmailCode(hash, "email_change", trx);
      if (!live) return undefined;
      const user = await lockUserById(live.user_id, trx);
      if (!user || user.email_confirmed_at) return undefined;
      const row = await consumeEmailCode(hash, "email_change", trx);
      if (!row?.email || (await findUserByEmail(row.email, trx))) return undefined;
      return completeConfirmation(user, row.email, held, meta, trx);
    });
  } catch (err) {
    if (isUniqueViolation(err, "users_email_unique")) return undefined;
    throw err;
  }
}
