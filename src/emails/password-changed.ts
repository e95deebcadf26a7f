import { defineSecurityMail } from "./mail";

/** Tells the owner that the password was changed or reset, with how to react if it was not them. */
export const passwordChangedMail = defineSecurityMail<{ username: string; how: "reset" | "changed"; ip: string | null }>(
  "password-changed",
  () => "Your Gatehouse password was changed",
  () => ({ resetUrl: "/password/forgot" }),
);
