import { defineMail } from "./mail";

/** Tells an organization's owners and admins that someone accepted an invitation. */
export const organizationMemberJoinedMail = defineMail<{ recipient: string; orgName: string; member: string; role: string; url: string }>(
  "organization-member-joined",
  (v) => `${v.member} joined ${v.orgName}`,
);
