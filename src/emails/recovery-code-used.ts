import { defineSecurityMail } from "./mail";

/** Security notice: a recovery code was used; warns when few are left. */
export const recoveryCodeUsedMail = defineSecurityMail<{ username: string; left: number; ip: string | null }>(
  "recovery-code-used",
  (v) => (v.left <= 2 ? `Only ${v.left} Gatehouse recovery code${v.left === 1 ? "" : "s"} left` : "A Gatehouse recovery code was used"),
  () => ({ securityUrl: "/settings/security", resetUrl: "/password/forgot" }),
);
