import { defineSecurityMail } from "./mail";

/** Security notice: an external identity was linked to or removed from the account. */
export const identityChangedMail = defineSecurityMail<{
  username: string;
  action: "linked" | "unlinked";
  providerLabel: string;
  providerUsername: string;
  ip: string | null;
}>(
  "identity-changed",
  (v) => (v.action === "linked" ? `${v.providerLabel} was connected to your Gatehouse account` : `${v.providerLabel} was disconnected from your Gatehouse account`),
  () => ({ settingsUrl: "/settings/identities", resetUrl: "/password/forgot" }),
);
