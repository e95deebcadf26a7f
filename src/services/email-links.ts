import { confirmEmail, listUnvouchedIdentities, type Confirmation } from "./email-confirmation";
import { confirmEmailChange } from "./email-change";
import { confirmCorrectedAddress } from "./unconfirmed-address";
import { findLiveEmailCode, findLiveEmailCodeToCurrentAddress } from "../db/email-codes";
import { findUserById, type UserRow } from "../db/users";
import type { IdentityRow } from "../db/identities";
import { hashToken } from "../lib/tokens";
import type { RequestMeta } from "./request-meta";
import type { HeldIdentity } from "./account-recovery";

/** What following an /email/confirm/:token link did. */
export type EmailLinkResult = ({ kind: "confirmed" } & Confirmation) | { kind: "changed"; user: UserRow };

/**
 * Uses a link mailed to /email/confirm/:token: a signup confirmation, the confirmation of an
 * unconfirmed account's corrected address, or an email-change confirmation (token hashes are
 * unique across purposes, so at most one can match). Returns what it did, or undefined for an
 * unknown, used or expired link. `held` is the identity this browser showed it holds, which a
 * sign-up confirmation may keep (see services/account-recovery.ts).
 */
export async function useEmailLink(token: string, meta: RequestMeta, held?: HeldIdentity): Promise<EmailLinkResult | undefined> {
  const confirmed = (await confirmEmail(token, meta, held)) ?? (await confirmCorrectedAddress(token, meta, held));
  if (confirmed) return { kind: "confirmed", ...confirmed };
  const changed = await confirmEmailChange(token, meta);
  if (changed) return { kind: "changed", user: changed };
  return undefined;
}

/** What the confirmation page says before its button is pressed. */
export interface EmailLinkPreview {
  /** The address the link proves (it was mailed there, so showing it tells its reader nothing new). */
  address: string;
  /** Identities that confirming may disconnect: attached before the address was proven. */
  unvouched: IdentityRow[];
}

/**
 * For GET /email/confirm/:token: the link's address and what confirming may remove, or undefined
 * when the link is unknown, used, expired or mailed to an address its account no longer has, so
 * the page says so instead of offering a button that cannot work.
 */
export async function previewEmailLink(token: string): Promise<EmailLinkPreview | undefined> {
  const hash = hashToken(token);
  const row = (await findLiveEmailCodeToCurrentAddress(hash, "email_confirmation")) ?? (await findLiveEmailCode(hash, "email_change"));
  if (!row?.email) return undefined;
  const user = await findUserById(row.user_id);
  if (!user) return undefined;
  return { address: row.email, unvouched: user.email_confirmed_at ? [] : await listUnvouchedIdentities(user.id) };
}
