import { defineMail } from "./mail";

/** Tells a member that an owner or a site administrator deleted an organization they belonged to, and that their access to it ended. */
export const organizationDeletedMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; actor: string }>(
  "organization-deleted",
  (v) => `The organization ${v.orgName} was deleted`,
  () => ({ url: "/settings/organizations" }),
);
