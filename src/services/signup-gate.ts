import { findInvitationByTokenHash } from "../db/invitations";
import { hashToken } from "../lib/tokens";
import { domainRefusal, emailDomainAllowed, type InstanceSettingsValues } from "./instance-settings";

/** Why a new account may not be made, keyed by the form field the message goes beside. */
export type SignupRefusal = { field: "_form" | "email"; message: string };

/** The message for sign-up forms on an instance that takes no sign-ups. */
export const SIGNUP_CLOSED = "Sign-up is closed on this Gatehouse. Ask its administrator for an account.";
/** The message for sign-up forms without an invitation when sign-up is by invitation only. */
export const SIGNUP_INVITE_ONLY = "Sign-up on this Gatehouse is by invitation only. Open the link in your invitation email to create your account.";

const INVITATION_PATH = /^\/invitations\/([A-Za-z0-9_-]{16,128})$/;

/**
 * Whether the instance settings let a new account be made with `email`, coming from `nextPath`
 * (the invitation page a sign-up started from, if any). Undefined when allowed. Without `email`
 * (showing the form), whether the form can succeed at all.
 *
 * By invitation only, the sign-up must come from a pending, unexpired invitation to this same
 * address (acceptance demands the same address anyway), so one invitation cannot open accounts for
 * others. None of these answers depend on whether an account exists for the address, so they keep
 * sign-up's rule of not telling who has an account.
 */
export async function signupRefusal(settings: InstanceSettingsValues, email: string | undefined, nextPath?: string): Promise<SignupRefusal | undefined> {
  if (settings.signupMode === "closed") return { field: "_form", message: SIGNUP_CLOSED };
  if (settings.signupMode === "invite_only") {
    // Without an address yet (the form's GET), a live invitation is enough to show the form.
    const invited = await invitedAddress(nextPath);
    if (!invited || (email !== undefined && invited !== email.toLowerCase())) return { field: "_form", message: SIGNUP_INVITE_ONLY };
  }
  if (email && !emailDomainAllowed(settings, email)) return { field: "email", message: domainRefusal(settings) };
  return undefined;
}

/**
 * Sign-up through a provider (a new account from an unknown identity): refused unless sign-up is
 * open, since a provider callback carries no invitation, and for addresses outside the allowed domains.
 */
export function providerSignupRefusal(settings: InstanceSettingsValues, email: string | undefined): SignupRefusal | undefined {
  if (settings.signupMode === "closed") return { field: "_form", message: SIGNUP_CLOSED };
  if (settings.signupMode === "invite_only") return { field: "_form", message: SIGNUP_INVITE_ONLY };
  if (email && !emailDomainAllowed(settings, email)) return { field: "email", message: domainRefusal(settings) };
  return undefined;
}

/** The invitation token an /invitations/<token> path names (a sign-up's `next`), if it is one. */
export function invitationTokenIn(nextPath: string | undefined): string | undefined {
  return nextPath?.match(INVITATION_PATH)?.[1];
}

/** The lower-cased address of the live invitation an /invitations/<token> path names, if any. */
async function invitedAddress(nextPath: string | undefined): Promise<string | undefined> {
  const token = invitationTokenIn(nextPath);
  if (!token) return undefined;
  const invitation = await findInvitationByTokenHash(hashToken(token));
  if (!invitation || invitation.status !== "pending" || invitation.expires_at <= new Date()) return undefined;
  return invitation.email.toLowerCase();
}
