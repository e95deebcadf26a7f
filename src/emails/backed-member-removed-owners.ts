import { defineMail } from "./mail";

/** Tells an organization's owners that a member was removed after leaving the group (GitHub organization, GitLab group, Bitbucket workspace) backing it. */
export const backedMemberRemovedOwnersMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; member: string; providerOrg: string; groupNoun: string; providerLabel: string }>(
  "backed-member-removed-owners",
  (v) => `${v.member} was removed from ${v.orgName}`,
  (v) => ({ url: `/orgs/${encodeURIComponent(v.orgSlug)}/members` }),
);
