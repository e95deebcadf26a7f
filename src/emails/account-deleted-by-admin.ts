import { defineMail } from "./mail";

/** Tells the owner a site admin deleted their account. */
export const accountDeletedByAdminMail = defineMail<{ username: string }>(
  "account-deleted-by-admin",
  () => "Your Gatehouse account was deleted by an administrator",
);
