import { defineMail } from "./mail";

/** Tells someone they lost access to an organization because they left the GitHub organization backing it. */
export const backedMemberRemovedMail = defineMail<{ recipient: string; orgName: string; providerOrg: string }>(
  "backed-member-removed",
  (v) => `You no longer have access to ${v.orgName}`,
  () => ({}),
);
