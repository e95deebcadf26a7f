import { defineMail } from "./mail";

/**
 * Sent instead of a confirmation when someone signs up with an address that already has an account:
 * the owner learns about it, the person signing up learns nothing.
 */
export const signupAttemptMail = defineMail<{ username: string }>(
  "signup-attempt",
  () => "Someone tried to sign up with your email address",
  () => ({ loginUrl: "/login", resetUrl: "/password/forgot" }),
);
