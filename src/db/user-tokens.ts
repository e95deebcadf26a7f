import type { Knex } from "knex";
import { db, type Executor } from "./knex";

export type UserTokenPurpose = "email_confirmation" | "password_reset" | "email_change";

export interface UserTokenRow {
  id: number;
  user_id: number;
  purpose: UserTokenPurpose;
  token_hash: Buffer;
  email: string | null;
  expires_at: Date;
  created_at: Date;
}

/**
 * Stores a new mailed code for (user, purpose), replacing any earlier one, so only the newest link
 * works.
 */
export async function replaceUserToken(
  fields: Pick<UserTokenRow, "user_id" | "purpose" | "token_hash" | "email" | "expires_at">,
  q: Executor = db,
): Promise<void> {
  await q("user_tokens").insert(fields).onConflict(["user_id", "purpose"]).merge();
}

/** The unexpired code with this hash and purpose, or undefined. */
export function findLiveUserToken(tokenHash: Buffer, purpose: UserTokenPurpose, q: Executor = db): Promise<UserTokenRow | undefined> {
  return q<UserTokenRow>("user_tokens")
    .where({ token_hash: tokenHash, purpose })
    .where("expires_at", ">", q.fn.now())
    .first();
}

/**
 * Deletes the unexpired code with this hash and purpose and returns it; undefined when there was
 * none. Deleting and reading in one statement makes each code single-use even under concurrent use.
 */
export async function consumeUserToken(tokenHash: Buffer, purpose: UserTokenPurpose, q: Executor = db): Promise<UserTokenRow | undefined> {
  const [row] = await q<UserTokenRow>("user_tokens")
    .where({ token_hash: tokenHash, purpose })
    .where("expires_at", ">", q.fn.now())
    .delete()
    .returning("*");
  return row;
}

/**
 * Narrows a user_tokens query to codes mailed to the address their account has now. A link is only
 * as good as the mailbox it went to: once the account has moved to another address, whoever reads
 * the old one (a shared or recycled mailbox, the address's next owner) must not act on the account.
 * Both columns are citext, so the comparison folds case as the unique index on users.email does.
 */
function mailedToCurrentAddress(query: Knex.QueryBuilder, q: Executor): Knex.QueryBuilder {
  return query.whereExists(
    q("users").select(q.raw("1")).whereRaw("users.id = user_tokens.user_id").whereRaw("users.email = user_tokens.email"),
  );
}

/** Like findLiveUserToken, but only while the code's address is still its account's address. */
export function findLiveUserTokenToCurrentAddress(tokenHash: Buffer, purpose: UserTokenPurpose, q: Executor = db): Promise<UserTokenRow | undefined> {
  const query = q<UserTokenRow>("user_tokens").where({ token_hash: tokenHash, purpose }).where("expires_at", ">", q.fn.now());
  return mailedToCurrentAddress(query, q).first() as Promise<UserTokenRow | undefined>;
}

/** Like consumeUserToken, but only while the code's address is still its account's address. */
export async function consumeUserTokenToCurrentAddress(tokenHash: Buffer, purpose: UserTokenPurpose, q: Executor = db): Promise<UserTokenRow | undefined> {
  const query = q<UserTokenRow>("user_tokens").where({ token_hash: tokenHash, purpose }).where("expires_at", ">", q.fn.now());
  const [row] = (await mailedToCurrentAddress(query, q).delete().returning("*")) as UserTokenRow[];
  return row;
}

/** Deletes a user's codes of one purpose (e.g. pending email changes after a password reset). */
export async function deleteUserTokensForUser(userId: number, purpose: UserTokenPurpose, q: Executor = db): Promise<void> {
  await q("user_tokens").where({ user_id: userId, purpose }).delete();
}

/** The user's pending code of one purpose (unexpired), or undefined. */
export function findPendingUserTokenForUser(userId: number, purpose: UserTokenPurpose, q: Executor = db): Promise<UserTokenRow | undefined> {
  return q<UserTokenRow>("user_tokens")
    .where({ user_id: userId, purpose })
    .where("expires_at", ">", q.fn.now())
    .first();
}
