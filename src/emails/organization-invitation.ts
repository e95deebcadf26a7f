import { defineMail } from "./mail";

/**
 * The invitation itself: a link to /invitations/:token. It goes to an address that may have no
 * account, so it is always sent (there are no preferences to consult).
 */
export const organizationInvitationMail = defineMail<{ orgName: string; inviter: string; role: string; token: string; days: number }>(
  "organization-invitation",
  (v) => `${v.inviter} invited you to join ${v.orgName} on Gatehouse`,
  (v) => ({ url: `/invitations/${encodeURIComponent(v.token)}` }),
);
