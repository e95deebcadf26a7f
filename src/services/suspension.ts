import type { AppContext } from "../context";
import { db } from "../db/knex";
import { endSessionsForUser } from "../db/sessions";
import { lockUserById, updateUser, type UserRow } from "../db/users";
import { accountSuspendedMail } from "../emails/account-suspended";
import { HttpError } from "../lib/errors";
import { recordAdminAction, type AdminContext } from "./admin-audit";
import { recordSecurityEvent } from "./security-log";
import { guardLastActiveAdmin } from "./site-admins";

/** What a suspended account is told when it tries to sign in (only after the right password). */
export const SUSPENDED_MESSAGE = "This account is suspended. Contact your Gatehouse administrator if you think this is a mistake.";

/**
 * Suspends an account, in one transaction: the flag, every session ended, the security-log and
 * admin-audit entries, and the "suspended" mail. From the commit on, the account's sessions read
 * as signed out and its tokens find nothing (both queries exclude suspended users), so nothing of
 * it works any more, including a sign-in that was racing with the suspension. Tokens are kept, not
 * revoked: they work again if the account is reinstated, which is what the owner would expect.
 * Admins cannot suspend themselves, nor the last active site admin.
 */
export async function suspendUser(ctx: AppContext, admin: AdminContext, userId: number, reason: string): Promise<UserRow> {
  if (admin.actor.id === userId) throw new HttpError(409, "You cannot suspend your own account.", "self");
  const updated = await db.transaction(async (trx) => {
    const user = await lockUserById(userId, trx);
    if (!user) throw new HttpError(404, "User not found");
    if (user.suspended_at) return user;
    await guardLastActiveAdmin(user, trx);
    const row = await updateUser(user.id, { suspended_at: new Date() }, trx);
    const ended = await endSessionsForUser(user.id, undefined, trx);
    await recordSecurityEvent(user.id, "account.suspended", admin.meta, {}, trx);
    await recordAdminAction(admin, "user.suspended", { type: "user", id: user.id, label: user.username }, { reason, sessions_ended: ended }, trx);
    await ctx.mail.queue(accountSuspendedMail({ userId: user.id, to: user.email, username: user.username, reason }), trx);
    return row;
  });
  return updated;
}

/** Lifts a suspension: the account can sign in again and its unrevoked tokens work again. */
export async function unsuspendUser(admin: AdminContext, userId: number): Promise<UserRow> {
  return db.transaction(async (trx) => {
    const user = await lockUserById(userId, trx);
    if (!user) throw new HttpError(404, "User not found");
    if (!user.suspended_at) return user;
    const row = await updateUser(user.id, { suspended_at: null }, trx);
    await recordSecurityEvent(user.id, "account.unsuspended", admin.meta, {}, trx);
    await recordAdminAction(admin, "user.unsuspended", { type: "user", id: user.id, label: user.username }, {}, trx);
    return row;
  });
}
