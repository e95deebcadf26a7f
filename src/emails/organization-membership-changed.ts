import { defineMail } from "./mail";

/** Tells a member that their role changed or that they were removed from an organization. */
export const organizationMembershipChangedMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; actor: string; change: "role" | "removed"; role?: string }>(
  "organization-membership-changed",
  (v) => (v.change === "removed" ? `You were removed from ${v.orgName}` : `Your role in ${v.orgName} is now ${v.role}`),
  (v) => ({ url: `/orgs/${encodeURIComponent(v.orgSlug)}` }),
);
