import type { AppContext } from "../context";
import { db } from "../db/knex";
import { deleteUser, lockUserById, type UserRow } from "../db/users";
import { accountDeletedMail } from "../emails/account-deleted";
import { ValidationError } from "../lib/errors";
import type { RequestMeta } from "./request-meta";
import { listOrganizationsSolelyOwnedBy } from "../db/memberships";
import { lastOwnerDeletionMessage } from "./org-errors";
import { isLastActiveAdmin, LAST_ADMIN_MESSAGE } from "./site-admins";

/** What the owner typed to confirm the deletion. */
export interface DeleteAccountInput {
  usernameConfirmation: string;
}

/**
 * Deletes an account for good. The owner proves it twice: the username typed again (against a
 * slip of the hand) and, before the route lets the request in, a fresh proof of identity (sudo
 * mode: the password, a second factor or a linked provider; against a borrowed or stolen session).
 *
 * Then, in one transaction: the row is locked, the refusal rules are checked, the goodbye mail is
 * queued and the user row is deleted, which cascades to every table keyed by the user (sessions,
 * mailed links, security log, preferences, identities, tokens). Either all of it happens or none.
 * A refusal is a ValidationError: on `username_confirmation` for a mistyped username, on the form
 * as a whole for a rule (the last owner of an organization, the last site admin).
 */
export async function deleteAccount(ctx: AppContext, user: UserRow, input: DeleteAccountInput, meta: RequestMeta): Promise<void> {
  if (input.usernameConfirmation.trim().toLowerCase() !== user.username.toLowerCase()) {
    throw new ValidationError({ username_confirmation: `That is not your username. Type ${user.username} to confirm.` });
  }
  const refuse = (message: string) => new ValidationError({ _form: message });
  await db.transaction(async (trx) => {
    const locked = await lockUserById(user.id, trx);
    if (!locked) throw refuse("This account no longer exists.");
    // Rules that refuse a deletion are checked here, against the locked row and in the same
    // transaction as the delete, so nothing they depend on can change in between.
    // Organizations: the last owner of an organization must hand it over first. The
    // memberships trigger would refuse the cascade at commit anyway; this check gives the reason.
    const soleOwned = await listOrganizationsSolelyOwnedBy(locked.id, trx);
    if (soleOwned.length > 0) throw refuse(lastOwnerDeletionMessage(soleOwned));
    // The instance keeps a site admin who can sign in: the last one makes another first.
    if (await isLastActiveAdmin(locked, trx)) throw refuse(LAST_ADMIN_MESSAGE.replace(/^This is/, "You are"));
    await ctx.mail.queue(accountDeletedMail({ userId: locked.id, to: locked.email, username: locked.username, ip: meta.ip }), trx);
    await deleteUser(locked.id, trx);
  });
  ctx.logger.info({ userId: user.id }, "account deleted");
}
