import { defineMail } from "./mail";

/** Tells an organization's owners and admins that someone joined: by an invitation, or directly with an address at a verified domain (`viaDomain`). */
export const organizationMemberJoinedMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; member: string; role: string; viaDomain?: string }>(
  "organization-member-joined",
  (v) => `${v.member} joined ${v.orgName}`,
  (v) => ({ url: `/orgs/${encodeURIComponent(v.orgSlug)}/members` }),
);
