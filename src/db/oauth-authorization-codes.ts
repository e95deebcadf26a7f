import { db, type Executor } from "./knex";

export interface OAuthAuthorizationCodeRow {
  id: number;
  code_hash: Buffer;
  user_id: number;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  requesting_host: string | null;
  expires_at: Date;
  created_at: Date;
}

/** Stores a new authorization code (its hash only). */
export async function insertAuthorizationCode(
  fields: Pick<OAuthAuthorizationCodeRow, "code_hash" | "user_id" | "client_id" | "redirect_uri" | "code_challenge" | "requesting_host" | "expires_at">,
  q: Executor = db,
): Promise<void> {
  await q("oauth_authorization_codes").insert(fields);
}

/**
 * Deletes the unexpired code with this hash and returns it; undefined when there was none. Reading
 * and deleting in one statement makes each code single-use even when redeemed twice at once.
 */
export async function consumeAuthorizationCode(codeHash: Buffer, q: Executor = db): Promise<OAuthAuthorizationCodeRow | undefined> {
  const [row] = await q<OAuthAuthorizationCodeRow>("oauth_authorization_codes")
    .where({ code_hash: codeHash })
    .where("expires_at", ">", q.fn.now())
    .delete()
    .returning("*");
  return row;
}

/** Removes expired codes (they can no longer be redeemed); returns how many went. */
export function deleteExpiredAuthorizationCodes(q: Executor = db): Promise<number> {
  return q("oauth_authorization_codes").where("expires_at", "<=", q.fn.now()).delete();
}

/** Deletes the user's authorization codes not yet redeemed: CLI sign-ins in progress. */
export async function deleteAuthorizationCodesForUser(userId: number, q: Executor = db): Promise<void> {
  await q("oauth_authorization_codes").where({ user_id: userId }).delete();
}
