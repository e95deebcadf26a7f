import { defineMail } from "./mail";

/** The goodbye notice after an account was deleted, with what to do if it was not the owner. */
export const accountDeletedMail = defineMail<{ username: string; ip: string | null }>(
  "account-deleted",
  () => "Your Gatehouse account was deleted",
  () => ({ signupUrl: "/signup" }),
);
