import { confirmEmail, type Confirmation } from "./email-confirmation";
import { confirmEmailChange } from "./email-change";
import type { UserRow } from "../db/users";
import type { RequestMeta } from "./request-meta";
import type { HeldIdentity } from "./account-recovery";

/** What following an /email/confirm/:token link did. */
export type EmailLinkResult = ({ kind: "confirmed" } & Confirmation) | { kind: "changed"; user: UserRow };

/**
 * Uses a link mailed to /email/confirm/:token: either a signup confirmation or an email-change
 * confirmation (token hashes are unique across purposes, so at most one can match). Returns what it
 * did, or undefined for an unknown, used or expired link. `held` is the identity this browser showed
 * it holds, which a sign-up confirmation may keep (see services/account-recovery.ts).
 */
export async function useEmailLink(token: string, meta: RequestMeta, held?: HeldIdentity): Promise<EmailLinkResult | undefined> {
  const confirmed = await confirmEmail(token, meta, held);
  if (confirmed) return { kind: "confirmed", ...confirmed };
  const changed = await confirmEmailChange(token, meta);
  if (changed) return { kind: "changed", user: changed };
  return undefined;
}
