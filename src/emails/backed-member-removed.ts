import { defineMail } from "./mail";

/** Tells someone they lost access to an organization because they left the group (GitHub organization, GitLab group, Bitbucket workspace) backing it. */
export const backedMemberRemovedMail = defineMail<{ recipient: string; orgName: string; providerOrg: string; groupNoun: string; providerLabel: string }>(
  "backed-member-removed",
  (v) => `You no longer have access to ${v.orgName}`,
  () => ({}),
);
