import { db } from "../db/knex";
import type { MembershipRow } from "../db/memberships";
import type { OrganizationRow } from "../db/organizations";
import { setOrganizationRequiresTwoFactor } from "../db/organization-two-factor";
import { hasTwoFactorEnabled } from "../db/totp-credentials";
import { canRequireTwoFactor } from "../policies/organizations";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

export type PolicyResult = { ok: true } | { ok: false; error: string };

/**
 * Turns the organization's two-factor requirement on or off. The owner turning it on must have
 * two-factor on already: otherwise the first member it locks out of the organization's pages would
 * be the owner, who could then not reach the settings to undo it.
 */
export async function setTwoFactorRequirement(org: OrganizationRow, actor: MembershipRow, required: boolean, meta: RequestMeta): Promise<PolicyResult> {
  if (!canRequireTwoFactor(actor)) return { ok: false, error: "Only owners can change this." };
  if (required && !(await hasTwoFactorEnabled(actor.user_id))) {
    return { ok: false, error: "Turn on two-factor authentication for your own account first (Settings, Security)." };
  }
  await db.transaction(async (trx) => {
    await setOrganizationRequiresTwoFactor(org.id, required, trx);
    await recordSecurityEvent(actor.user_id, required ? "organization.two_factor_required" : "organization.two_factor_not_required", meta, { organization: org.slug }, trx);
  });
  return { ok: true };
}
