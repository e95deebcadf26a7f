import type { AccessTokenRow } from "../db/access-tokens";
import type { UserRow } from "../db/users";
import type { AppContext } from "../context";
import { HttpError, ValidationError } from "../lib/errors";
import { createPersonalAccessToken, DEFAULT_TOKEN_EXPIRY_DAYS } from "./access-tokens";
import type { RequestMeta } from "./request-meta";

const DAY_MS = 86_400_000;

/**
 * Creates a personal token on behalf of another token (POST /api/v1/user/tokens). Two rules keep a
 * stolen token from planting lasting access:
 * - only a token its owner made for this purpose (can_create_tokens, chosen on the settings page
 *   after a fresh proof of identity) may create tokens; any other gets 403;
 * - the new token never outlives the one creating it: without an expiry asked for, it gets the
 *   default or the creator's expiry, whichever comes first; an explicit later expiry (or none,
 *   under an expiring creator) is refused with the field's message. Revoking the creator does not
 *   revoke its children, which is why their lifetime is what is bounded.
 * Tokens made this way never get can_create_tokens themselves.
 */
export async function createTokenWithToken(
  ctx: AppContext, user: Pick<UserRow, "id" | "username" | "email">, creator: AccessTokenRow,
  input: { description: string; expiresInDays: number | null | undefined }, meta: RequestMeta,
) {
  if (!creator.can_create_tokens) {
    throw new HttpError(403, "This token cannot create tokens. Create one with \"Can create tokens\" on the Access tokens settings page.", "token_cannot_create_tokens");
  }
  const limit = creator.expires_at;
  const expiresInDays = input.expiresInDays === undefined ? DEFAULT_TOKEN_EXPIRY_DAYS : input.expiresInDays;
  // Without an expiry asked for, a default that would outlive the creator becomes the creator's own
  // expiry, to the millisecond (days counted now would end a moment later, when the row is written).
  let expiresAt: Date | undefined;
  if (limit) {
    const daysLeft = (limit.getTime() - Date.now()) / DAY_MS;
    if (input.expiresInDays === undefined && DEFAULT_TOKEN_EXPIRY_DAYS > daysLeft) expiresAt = limit;
    else if (expiresInDays === null || expiresInDays > daysLeft) {
      throw new ValidationError({ expires_in_days: `A token cannot outlive the token creating it, which expires on ${limit.toISOString().slice(0, 10)}.` });
    }
  }
  return createPersonalAccessToken(ctx, user, { description: input.description, expiresInDays, expiresAt, via: "api" }, meta);
}
