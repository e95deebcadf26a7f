import { confirmEmail } from "./email-confirmation";
import { confirmEmailChange } from "./email-change";
import type { UserRow } from "../db/users";
import type { RequestMeta } from "./request-meta";

/** What following an /email/confirm/:token link did. */
export type EmailLinkResult = { kind: "confirmed"; user: UserRow } | { kind: "changed"; user: UserRow };

/**
 * Uses a link mailed to /email/confirm/:token: either a signup confirmation or an email-change
 * confirmation (token hashes are unique across purposes, so at most one can match). Returns what it
 * did, or undefined for an unknown, used or expired link.
 */
export async function useEmailLink(token: string, meta: RequestMeta): Promise<EmailLinkResult | undefined> {
  const confirmed = await confirmEmail(token);
  if (confirmed) return { kind: "confirmed", user: confirmed };
  const changed = await confirmEmailChange(token, meta);
  if (changed) return { kind: "changed", user: changed };
  return undefined;
}
