import { defineMail } from "./mail";

/** Asks a new account to confirm its address: a link to /email/confirm/:token. */
export const confirmEmailMail = defineMail<{ username: string; token: string; hours: number }>(
  "confirm-email",
  () => "Confirm your email address for Gatehouse",
  (v) => ({ url: `/email/confirm/${encodeURIComponent(v.token)}` }),
);
