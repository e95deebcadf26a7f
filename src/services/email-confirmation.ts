import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import { consumeUserToken, replaceUserToken } from "../db/user-tokens";
import { findUserById, updateUser, type UserRow } from "../db/users";
import { confirmEmailMail } from "../emails/confirm-email";
import { enqueueMail } from "../emails/mail";
import { hashToken, randomToken } from "../lib/tokens";

/** How long a confirmation link works. */
export const CONFIRMATION_HOURS = 48;

/**
 * Issues a new confirmation link for the user's address (replacing any earlier one) and queues the
 * mail in the caller's transaction.
 */
export async function issueEmailConfirmation(ctx: AppContext, user: Pick<UserRow, "id" | "username" | "email">, q: Executor): Promise<void> {
  const token = randomToken();
  await replaceUserToken(
    {
      user_id: user.id,
      purpose: "email_confirmation",
      token_hash: hashToken(token),
      email: user.email,
      expires_at: new Date(Date.now() + CONFIRMATION_HOURS * 3600_000),
    },
    q,
  );
  const url = `${ctx.config.baseUrl}/email/confirm/${token}`;
  await enqueueMail(await confirmEmailMail({ to: user.email, baseUrl: ctx.config.baseUrl, username: user.username, url, hours: CONFIRMATION_HOURS }), q);
}

/** Sends a fresh confirmation link to a signed-in, unconfirmed user. */
export async function resendEmailConfirmation(ctx: AppContext, user: UserRow): Promise<void> {
  if (user.email_confirmed_at) return;
  await db.transaction((trx) => issueEmailConfirmation(ctx, user, trx));
  ctx.kickMail();
}

/**
 * Confirms an address with a mailed token. The token is consumed (single use) and only counts when
 * the account's address is still the one it was sent to. Returns the user, or undefined for an
 * unknown, used or expired link.
 */
export async function confirmEmail(token: string): Promise<UserRow | undefined> {
  return db.transaction(async (trx) => {
    const row = await consumeUserToken(hashToken(token), "email_confirmation", trx);
    if (!row) return undefined;
    const user = await findUserById(row.user_id, trx);
    if (!user || user.email.toLowerCase() !== row.email?.toLowerCase()) return undefined;
    if (user.email_confirmed_at) return user;
    return updateUser(user.id, { email_confirmed_at: new Date() }, trx);
  });
}
