import { defineMail } from "./mail";

/** Tells an organization's owners and admins that someone accepted an invitation. */
export const organizationMemberJoinedMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; member: string; role: string }>(
  "organization-member-joined",
  (v) => `${v.member} joined ${v.orgName}`,
  (v) => ({ url: `/orgs/${encodeURIComponent(v.orgSlug)}/members` }),
);
