import type { AppContext } from "../context";
import { db } from "../db/knex";
import { listOrganizationsSolelyOwnedBy } from "../db/memberships";
import { endSessionsForUser } from "../db/sessions";
import { deleteEmailCodesForUser } from "../db/email-codes";
import { deleteUser, lockUserById, updateUser, type UserRow } from "../db/users";
import { accountDeletedByAdminMail } from "../emails/account-deleted-by-admin";
import { ConflictError, HttpError } from "../lib/errors";
import { recordAdminAction, type AdminContext } from "./admin-audit";
import { issueEmailConfirmation } from "./email-confirmation";
import { recordSecurityEvent } from "./security-log";
import { guardLastActiveAdmin } from "./site-admins";

/**
 * What site admins do to an account besides suspension (services/suspension.ts) and the site-admin
 * flag (services/site-admins.ts). Each runs in one transaction with the account row locked and its
 * admin-audit entry written in the same transaction.
 */

const target = (user: Pick<UserRow, "id" | "username">) => ({ type: "user" as const, id: user.id, label: user.username });

async function lockedOr404(userId: number, trx: Parameters<typeof lockUserById>[1]): Promise<UserRow> {
  const user = await lockUserById(userId, trx);
  if (!user) throw new HttpError(404, "User not found");
  return user;
}

/** Mails a fresh confirmation link to an unconfirmed account; a confirmed one is refused (409). */
export async function resendConfirmationAsAdmin(ctx: AppContext, admin: AdminContext, userId: number): Promise<UserRow> {
  const user = await db.transaction(async (trx) => {
    const user = await lockedOr404(userId, trx);
    if (user.email_confirmed_at) throw new HttpError(409, "This address is already confirmed.", "already_confirmed");
    await issueEmailConfirmation(ctx, user, trx);
    await recordAdminAction(admin, "user.confirmation_resent", target(user), { email: user.email }, trx);
    return user;
  });
  return user;
}

/**
 * Marks the account's address confirmed on the admin's word (someone who cannot receive the mail);
 * pending confirmation links stop working, since there is nothing left for them to confirm.
 */
export async function markEmailConfirmedAsAdmin(admin: AdminContext, userId: number): Promise<UserRow> {
  return db.transaction(async (trx) => {
    const user = await lockedOr404(userId, trx);
    if (user.email_confirmed_at) return user;
    const row = await updateUser(user.id, { email_confirmed_at: new Date() }, trx);
    await deleteEmailCodesForUser(user.id, "email_confirmation", trx);
    await recordSecurityEvent(user.id, "email.confirmed_by_admin", admin.meta, { email: user.email }, trx);
    await recordAdminAction(admin, "user.email_confirmed", target(user), { email: user.email }, trx);
    return row;
  });
}

/** Ends every browser session of the account (tokens stay: revoking them is the owner's choice). */
export async function signOutEverywhereAsAdmin(admin: AdminContext, userId: number): Promise<number> {
  return db.transaction(async (trx) => {
    const user = await lockedOr404(userId, trx);
    const ended = await endSessionsForUser(user.id, undefined, trx);
    await recordSecurityEvent(user.id, "session.revoked_all_by_admin", admin.meta, {}, trx);
    await recordAdminAction(admin, "user.signed_out_everywhere", target(user), { sessions_ended: ended }, trx);
    return ended;
  });
}

/**
 * Deletes an account for good, under the same rules as deleting one's own
 * (services/delete-account.ts): the last owner of an organization must hand it over first, checked
 * on the locked row in the transaction of the delete; the owner gets the goodbye mail. Admins do
 * not delete themselves here (their own settings page asks for their password), nor the last
 * active site admin (each a ConflictError, 409). The row's deletion cascades to everything keyed
 * by the user. Gives back the deleted row.
 */
export async function deleteUserAsAdmin(ctx: AppContext, admin: AdminContext, userId: number): Promise<UserRow> {
  if (admin.actor.id === userId) throw new ConflictError("Delete your own account from your account settings.");
  return db.transaction(async (trx) => {
    const user = await lockedOr404(userId, trx);
    const soleOwned = await listOrganizationsSolelyOwnedBy(user.id, trx);
    if (soleOwned.length > 0) {
      const names = soleOwned.map((o) => o.name).join(", ");
      throw new ConflictError(`${user.username} is the last owner of ${names}. Make someone else an owner (or delete the organization) first.`, "last_owner");
    }
    await guardLastActiveAdmin(user, trx);
    await ctx.mail.queue(accountDeletedByAdminMail({ userId: user.id, to: user.email, username: user.username }), trx);
    await recordAdminAction(admin, "user.deleted", target(user), { email: user.email }, trx);
    await deleteUser(user.id, trx);
    return user;
  });
}
