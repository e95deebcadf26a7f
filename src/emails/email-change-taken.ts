import { defineMail } from "./mail";

/**
 * Sent to an address that already belongs to an account when another account asks to move to it.
 * It carries no link: the change can never happen, and the requester sees the same answer as for a
 * free address, so the form does not reveal who has an account.
 */
export const emailChangeTakenMail = defineMail<{ username: string }>(
  "email-change-taken",
  () => "Someone tried to use your email address on Gatehouse",
  () => ({ resetUrl: "/password/forgot" }),
);
