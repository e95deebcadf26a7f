import type { AppContext } from "../context";
import { db } from "../db/knex";
import type { Executor } from "../db/knex";
import { countPasskeysForUser } from "../db/passkeys";
import { countIdentitiesForUser, deleteIdentityForUser, findIdentityForUser, lockUserForIdentityChange } from "../db/identities";
import { findUserById } from "../db/users";
import { noticeMail } from "./external-sign-in";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** What a disconnect attempt led to. */
export type UnlinkOutcome = { kind: "unlinked"; provider: string } | { kind: "not_found" } | { kind: "last_method" };

/**
 * True when removing one identity or passkey would leave the account with no way to sign in: no
 * password and nothing else among its identities and passkeys (`methodCount` counts both). The
 * last-sign-in-method guard; a password counts as a way in.
 */
export function isLastSignInMethod(hasPassword: boolean, methodCount: number): boolean {
  return !hasPassword && methodCount <= 1;
}

/** How many identities and passkeys the user has: the ways in besides a password. */
export async function countSignInMethods(userId: number, q?: Executor): Promise<number> {
  return (await countIdentitiesForUser(userId, q)) + (await countPasskeysForUser(userId, q));
}

/**
 * Disconnects one of the user's identities. The user's row is locked first so that two
 * concurrent disconnects see each other and cannot together remove the last way in. Someone
 * else's identity id is "not found" (the query is scoped by user id).
 */
export async function unlinkIdentity(ctx: AppContext, userId: number, identityId: number, meta: RequestMeta): Promise<UnlinkOutcome> {
  const outcome = await db.transaction(async (trx): Promise<UnlinkOutcome> => {
    const locked = await lockUserForIdentityChange(userId, trx);
    if (!locked || !(await findIdentityForUser(userId, identityId, trx))) return { kind: "not_found" };
    if (isLastSignInMethod(!!locked.password_hash, await countSignInMethods(userId, trx))) return { kind: "last_method" };
    const removed = await deleteIdentityForUser(userId, identityId, trx);
    if (!removed) return { kind: "not_found" };
    const user = (await findUserById(userId, trx))!;
    await recordSecurityEvent(userId, "identity.unlinked", meta, { provider: removed.provider, account: removed.provider_username }, trx);
    await ctx.mail.queue(noticeMail(user, "unlinked", removed, meta), trx);
    return { kind: "unlinked", provider: removed.provider };
  });
  return outcome;
}
