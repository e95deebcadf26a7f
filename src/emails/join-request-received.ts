import { defineMail } from "./mail";

/** Tells an organization's owners and admins that someone at a verified domain asks to join. */
export const joinRequestReceivedMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; requester: string; email: string }>(
  "join-request-received",
  (v) => `${v.requester} asks to join ${v.orgName}`,
  (v) => ({ url: `/orgs/${encodeURIComponent(v.orgSlug)}/join-requests` }),
);
