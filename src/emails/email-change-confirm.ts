import { defineMail } from "./mail";

/** Sent to the NEW address of an email change: the link that makes the change happen. */
export const emailChangeConfirmMail = defineMail<{ username: string; token: string; minutes: number }>(
  "email-change-confirm",
  () => "Confirm your new email address for Gatehouse",
  (v) => ({ url: `/email/confirm/${encodeURIComponent(v.token)}` }),
);
