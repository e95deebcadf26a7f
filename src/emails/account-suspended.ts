import { defineMail } from "./mail";

/** Tells the owner their account was suspended by a site admin, and whom to ask. */
export const accountSuspendedMail = defineMail<{ username: string; reason: string }>(
  "account-suspended",
  () => "Your Gatehouse account was suspended",
);
