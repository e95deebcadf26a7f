import { defineMail } from "./mail";

/** The password reset link (/password/reset/:token). */
export const passwordResetMail = defineMail<{ username: string; token: string; minutes: number }>(
  "password-reset",
  () => "Reset your Gatehouse password",
  (v) => ({ url: `/password/reset/${encodeURIComponent(v.token)}` }),
);
