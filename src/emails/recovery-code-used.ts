import { defineMail } from "./mail";

/** Security notice: a recovery code was used; warns when few are left. */
export const recoveryCodeUsedMail = defineMail<{ username: string; left: number; ip: string | null; securityUrl: string; resetUrl: string }>(
  "recovery-code-used",
  (v) => (v.left <= 2 ? `Only ${v.left} Gatehouse recovery code${v.left === 1 ? "" : "s"} left` : "A Gatehouse recovery code was used"),
);
