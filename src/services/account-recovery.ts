/**
 * What proving an account's address takes away from whoever held the account before.
 *
 * Someone can sign up with a provider that gives no verified email and type an address that is not
 * theirs (the "trojan identifier" pre-hijacking attack): the account is created unconfirmed, with
 * the squatter's identity attached (vouched_for_address false). When the address's real owner later
 * proves it — by following the confirmation link, or by resetting the password — the squatter's
 * identity must not come with the account they now take over:
 *
 *   - email confirmation: an unvouched identity is kept only when the browser that confirms also
 *     showed it holds that identity (it typed the address after the provider sign-in, or signed in
 *     with it and was told to confirm first). Then one person demonstrably holds both the mailbox
 *     and the identity. Any other unvouched identity is removed.
 *   - password reset: unvouched identities are always removed; the reset form also offers to revoke
 *     every personal access token and to disconnect every other identity (see resetChoices).
 *
 * Each removal is written to the security log. The account always keeps a way in: after a reset it
 * has the new password, and a confirmation that removed the only way in sends the person on to
 * choose a password.
 */
import type { Executor } from "../db/knex";
import { revokeLiveAccessTokensForUser, listLiveAccessTokensForUser, type AccessTokenRow } from "../db/access-tokens";
import { deleteIdentitiesForUser, deleteIdentityForUser, listIdentitiesForUser, markIdentityVouchedForUser, type IdentityRow } from "../db/identities";
import { PROVIDERS } from "../auth/providers";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** An identity a browser showed it holds in this session: provider and the provider's user id. */
export interface HeldIdentity {
  provider: string;
  providerUserId: string;
}

/** What became of the unvouched identities when the address was confirmed. */
export interface ConfirmationSettlement {
  kept: IdentityRow[];
  removed: IdentityRow[];
}

/** True when `held` is this identity. */
function isHeld(identity: IdentityRow, held: HeldIdentity | undefined): boolean {
  return !!held && held.provider === identity.provider && held.providerUserId === identity.provider_user_id;
}

/**
 * On email confirmation by the address's owner: keeps an unvouched identity that this browser
 * showed it holds (and marks it vouched), removes every other one. Runs in the caller's transaction.
 */
export async function settleUnvouchedIdentities(userId: number, held: HeldIdentity | undefined, meta: RequestMeta, trx: Executor): Promise<ConfirmationSettlement> {
  const settlement: ConfirmationSettlement = { kept: [], removed: [] };
  for (const identity of await listIdentitiesForUser(userId, trx)) {
    if (identity.vouched_for_address) continue;
    if (isHeld(identity, held)) {
      await markIdentityVouchedForUser(userId, identity.id, trx);
      settlement.kept.push(identity);
      continue;
    }
    const removed = await deleteIdentityForUser(userId, identity.id, trx);
    if (!removed) continue;
    settlement.removed.push(removed);
    await recordSecurityEvent(userId, "identity.unlinked", meta, { provider: removed.provider, account: removed.provider_username, reason: "not_proven_at_confirmation" }, trx);
  }
  return settlement;
}

/** What the owner chose on the reset form. */
export interface ResetChoices {
  /** Revoke every personal access token (checked by default on the form). */
  revokeTokens: boolean;
  /** Disconnect every linked identity (unchecked by default on the form). */
  disconnectIdentities: boolean;
}

/** What a password reset ended and what it kept, for the result message. */
export interface RecoverySummary {
  tokensRevoked: AccessTokenRow[];
  tokensKept: AccessTokenRow[];
  /** Removed identities; `unproven` ones were attached before the address was proven. */
  identitiesRemoved: (IdentityRow & { unproven: boolean })[];
  identitiesKept: IdentityRow[];
}

/**
 * On password reset, in the reset's transaction: removes the identities attached before the address
 * was proven (always: the person resetting is the first to prove the address, and cannot be shown
 * to hold them), then applies the owner's choices. The new password set in the same transaction is
 * the way in that always remains, which is why every identity may go.
 */
export async function applyResetChoices(userId: number, choices: ResetChoices, meta: RequestMeta, trx: Executor): Promise<RecoverySummary> {
  const identities = await listIdentitiesForUser(userId, trx);
  const removed = choices.disconnectIdentities ? await deleteIdentitiesForUser(userId, trx) : [];
  for (const identity of identities) {
    if (choices.disconnectIdentities || identity.vouched_for_address) continue;
    const row = await deleteIdentityForUser(userId, identity.id, trx);
    if (row) removed.push(row);
  }
  const removedIds = new Set(removed.map((i) => i.id));
  for (const identity of removed) {
    const reason = identity.vouched_for_address ? "password_reset" : "not_proven_at_reset";
    await recordSecurityEvent(userId, "identity.unlinked", meta, { provider: identity.provider, account: identity.provider_username, reason }, trx);
  }
  const tokensRevoked = choices.revokeTokens ? await revokeLiveAccessTokensForUser(userId, trx) : [];
  for (const token of tokensRevoked) {
    await recordSecurityEvent(userId, "access_token.revoked", meta, { token_id: token.id, description: token.description, reason: "password_reset" }, trx);
  }
  return {
    tokensRevoked,
    tokensKept: choices.revokeTokens ? [] : await listLiveAccessTokensForUser(userId, trx),
    identitiesRemoved: removed.map((i) => ({ ...i, unproven: !i.vouched_for_address })),
    identitiesKept: identities.filter((i) => !removedIds.has(i.id)),
  };
}

/**
 * What the reset page lists for review: the linked identities (with their provider labels; those
 * attached before the address was proven are marked, since the reset removes them whatever the
 * owner chooses) and the personal access tokens that still work.
 */
export async function listForResetReview(userId: number) {
  const identities = (await listIdentitiesForUser(userId)).map((i) => ({ ...i, label: PROVIDERS.find((p) => p.name === i.provider)?.label ?? i.provider, unproven: !i.vouched_for_address }));
  return { linkedIdentities: identities, liveTokens: await listLiveAccessTokensForUser(userId) };
}
