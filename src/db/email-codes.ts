import type { Knex } from "knex";
import { db, type Executor } from "./knex";

// One-time codes mailed to an address: email confirmation, password reset and email change links,
// and the "This wasn't me" links of security mails. Only a code's SHA-256 is stored (token_hash).
// An account has one live code per purpose, except not_me: every security mail has its own.
// Personal access tokens, a different thing, are in access-tokens.ts.

export type EmailCodePurpose = "email_confirmation" | "password_reset" | "email_change" | "not_me";

export interface EmailCodeRow {
  id: number;
  user_id: number;
  purpose: EmailCodePurpose;
  token_hash: Buffer;
  email: string | null;
  expires_at: Date;
  created_at: Date;
}

/**
 * Stores a new mailed code for (user, purpose), replacing any earlier one, so only the newest link
 * works. (The conflict target names the partial unique index, which leaves not_me codes out.)
 */
export async function replaceEmailCode(
  fields: Pick<EmailCodeRow, "user_id" | "purpose" | "token_hash" | "email" | "expires_at"> & { purpose: Exclude<EmailCodePurpose, "not_me"> },
  q: Executor = db,
): Promise<void> {
  await q.raw(
    `INSERT INTO email_codes (user_id, purpose, token_hash, email, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id, purpose) WHERE purpose <> 'not_me'
     DO UPDATE SET token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at`,
    [fields.user_id, fields.purpose, fields.token_hash, fields.email, fields.expires_at],
  );
}

/** Stores one more "This wasn't me" code for a security mail, beside the account's others. */
export async function insertNotMeCode(fields: Pick<EmailCodeRow, "user_id" | "token_hash" | "email" | "expires_at">, q: Executor = db): Promise<void> {
  await q("email_codes").insert({ ...fields, purpose: "not_me" });
}

/** The unexpired code with this hash and purpose, or undefined. */
export function findLiveEmailCode(tokenHash: Buffer, purpose: EmailCodePurpose, q: Executor = db): Promise<EmailCodeRow | undefined> {
  return q<EmailCodeRow>("email_codes")
    .where({ token_hash: tokenHash, purpose })
    .where("expires_at", ">", q.fn.now())
    .first();
}

/**
 * Deletes the unexpired code with this hash and purpose and returns it; undefined when there was
 * none. Deleting and reading in one statement makes each code single-use even under concurrent use.
 */
export async function consumeEmailCode(tokenHash: Buffer, purpose: EmailCodePurpose, q: Executor = db): Promise<EmailCodeRow | undefined> {
  const [row] = await q<EmailCodeRow>("email_codes")
    .where({ token_hash: tokenHash, purpose })
    .where("expires_at", ">", q.fn.now())
    .delete()
    .returning("*");
  return row;
}

/**
 * Narrows a email_codes query to codes mailed to the address their account has now. A link is only
 * as good as the mailbox it went to: once the account has moved to another address, whoever reads
 * the old one (a shared or recycled mailbox, the address's next owner) must not act on the account.
 * Both columns are citext, so the comparison folds case as the unique index on users.email does.
 */
function mailedToCurrentAddress(query: Knex.QueryBuilder, q: Executor): Knex.QueryBuilder {
  return query.whereExists(
    q("users").select(q.raw("1")).whereRaw("users.id = email_codes.user_id").whereRaw("users.email = email_codes.email"),
  );
}

/** Like findLiveEmailCode, but only while the code's address is still its account's address. */
export function findLiveEmailCodeToCurrentAddress(tokenHash: Buffer, purpose: EmailCodePurpose, q: Executor = db): Promise<EmailCodeRow | undefined> {
  const query = q<EmailCodeRow>("email_codes").where({ token_hash: tokenHash, purpose }).where("expires_at", ">", q.fn.now());
  return mailedToCurrentAddress(query, q).first() as Promise<EmailCodeRow | undefined>;
}

/** Like consumeEmailCode, but only while the code's address is still its account's address. */
export async function consumeEmailCodeToCurrentAddress(tokenHash: Buffer, purpose: EmailCodePurpose, q: Executor = db): Promise<EmailCodeRow | undefined> {
  const query = q<EmailCodeRow>("email_codes").where({ token_hash: tokenHash, purpose }).where("expires_at", ">", q.fn.now());
  const [row] = (await mailedToCurrentAddress(query, q).delete().returning("*")) as EmailCodeRow[];
  return row;
}

/** Deletes a user's codes of one purpose (e.g. pending email changes after a password reset). */
export async function deleteEmailCodesForUser(userId: number, purpose: EmailCodePurpose, q: Executor = db): Promise<void> {
  await q("email_codes").where({ user_id: userId, purpose }).delete();
}

/** The user's pending code of one purpose (unexpired), or undefined. */
export function findPendingEmailCodeForUser(userId: number, purpose: EmailCodePurpose, q: Executor = db): Promise<EmailCodeRow | undefined> {
  return q<EmailCodeRow>("email_codes")
    .where({ user_id: userId, purpose })
    .where("expires_at", ">", q.fn.now())
    .first();
}
