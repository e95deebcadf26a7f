import { defineSecurityMail } from "./mail";

/**
 * Sent to the OLD address when an email change is requested, so that the owner hears of it (and
 * can cancel it) even when someone else holds the session.
 */
export const emailChangeNoticeMail = defineSecurityMail<{ username: string; newEmail: string; minutes: number; ip: string | null }>(
  "email-change-notice",
  () => "A change of your Gatehouse email address was requested",
  () => ({ accountUrl: "/settings/account", resetUrl: "/password/forgot" }),
);
