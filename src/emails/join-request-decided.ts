import { defineMail } from "./mail";

/** Tells the person who asked to join an organization whether they were let in. */
export const joinRequestDecidedMail = defineMail<{ recipient: string; orgName: string; orgSlug: string; approved: boolean }>(
  "join-request-decided",
  (v) => (v.approved ? `You joined ${v.orgName}` : `Your request to join ${v.orgName} was declined`),
  (v) => ({ url: v.approved ? `/orgs/${encodeURIComponent(v.orgSlug)}` : "/" }),
);
