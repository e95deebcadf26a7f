import { defineSecurityMail } from "./mail";

/** Tells the owner about a sign-in from a browser and address not seen recently, with what to do if it was not them. */
export const newSignInMail = defineSecurityMail<{ username: string; device: string; ip: string | null; at: string }>(
  "new-sign-in",
  () => "New sign-in to your account",
  () => ({ sessionsUrl: "/settings/sessions", resetUrl: "/password/forgot" }),
);
