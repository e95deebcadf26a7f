import type { AppContext } from "../context";
import { ACCESS_TOKEN_PREFIXES, generateAccessToken } from "../auth/access-token-format";
import { insertAccessToken, revokeAccessTokenForUser, type AccessTokenOrigin, type AccessTokenRow } from "../db/access-tokens";
import { db } from "../db/knex";
import type { UserRow } from "../db/users";
import { accessTokenCreatedMail } from "../emails/access-token-created";
import { wantsEmail } from "./notification-preferences";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";
import { lockUserById } from "../db/users";
import { HttpError } from "../lib/errors";
import { canCreateAdminToken } from "../policies/admin";

/** The lifetimes a personal token can be given, in days; `null` (no expiry) is allowed too. */
export const TOKEN_EXPIRY_DAYS = [30, 60, 90, 365] as const;
/** The lifetime preselected on the form and used by the API when none is given. */
export const DEFAULT_TOKEN_EXPIRY_DAYS = 90;

export interface NewAccessToken {
  description: string;
  /** Days until expiry, or null for a token that does not expire. */
  expiresInDays: number | null;
  /** An exact expiry instead, earlier than `expiresInDays` would give (a token's child ends with its creator). */
  expiresAt?: Date;
  via: AccessTokenOrigin;
  /** For CLI sign-ins: the OAuth client id and the host the sign-in was approved from. */
  cli?: { client: string; host: string | null };
  /**
   * Made for admin use (the admin API takes no other token). Only from the settings page, by a
   * site admin in a signed-in browser: never through the API, or any leaked everyday token could
   * mint itself an admin one.
   */
  admin?: boolean;
  /** May the new token create tokens through the API (offered on the settings page only). */
  canCreateTokens?: boolean;
}

const HOW: Record<AccessTokenOrigin, string> = {
  web: "on the Access tokens settings page",
  api: "through the API",
  cli: "by a command-line sign-in",
};

/**
 * Creates a personal access token. In one transaction: the row (hash only), the security-log entry
 * and the security notice mail, so a token never exists without its owner being told. Returns the
 * row and the secret, which the caller shows once and never stores.
 */
export async function createPersonalAccessToken(
  ctx: AppContext,
  user: Pick<UserRow, "id" | "username" | "email">,
  input: NewAccessToken,
  meta: RequestMeta,
): Promise<{ row: AccessTokenRow; token: string }> {
  const generated = generateAccessToken(ACCESS_TOKEN_PREFIXES.personal);
  const expiresAt = input.expiresAt ?? (input.expiresInDays === null ? null : new Date(Date.now() + input.expiresInDays * 86_400_000));
  const row = await db.transaction(async (trx) => {
    // Checked on the row as it is now, not as the request's copy says: the flag may have just been revoked.
    if (input.admin && !canCreateAdminToken(await lockUserById(user.id, trx))) throw new HttpError(403, "Only site admins can make tokens for admin use.");
    const inserted = await insertAccessToken(
      {
        user_id: user.id,
        description: input.description,
        token_hash: generated.hash,
        token_prefix: generated.prefix,
        last4: generated.last4,
        created_via: input.via,
        expires_at: expiresAt,
        cli_client: input.cli?.client ?? null,
        cli_host: input.cli?.host ?? null,
        admin: input.admin === true,
        can_create_tokens: input.canCreateTokens ?? false,
      },
      trx,
    );
    await recordSecurityEvent(user.id, "access_token.created", meta, { token_id: inserted.id, description: inserted.description, via: input.via, admin: inserted.admin }, trx);
    // A security notice: wantsEmail always says yes to this category, even if other mail is off.
    if (await wantsEmail(user.id, "security", trx)) {
      const mail = accessTokenCreatedMail({
        userId: user.id,
        to: user.email,
        username: user.username,
        description: inserted.description,
        how: HOW[input.via],
        expiresOn: expiresAt ? expiresAt.toISOString().slice(0, 10) : null,
        ip: meta.ip,
      });
      await ctx.mail.queue(mail, trx);
    }
    return inserted;
  });
  return { row, token: generated.token };
}

/**
 * Revokes one of the user's tokens and logs it; the next request with it gets 401. Returns the
 * revoked row, or undefined when the id is not one of the user's live tokens (the caller's 404).
 */
export async function revokePersonalAccessToken(userId: number, tokenId: number, meta: RequestMeta): Promise<AccessTokenRow | undefined> {
  return db.transaction(async (trx) => {
    const row = await revokeAccessTokenForUser(userId, tokenId, trx);
    if (row) await recordSecurityEvent(userId, "access_token.revoked", meta, { token_id: row.id, description: row.description }, trx);
    return row;
  });
}
