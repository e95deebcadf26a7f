import { db, type Executor } from "./knex";

/** A member of an organization without two-factor authentication on. */
export interface NonCompliantMemberRow {
  user_id: number;
  username: string;
  display_name: string;
  role: string;
}

/** The organization's members whose account has no enabled TOTP credential, by username. */
export function listMembersWithoutTwoFactor(organizationId: number, q: Executor = db): Promise<NonCompliantMemberRow[]> {
  return q("memberships as m")
    .join("users as u", "u.id", "m.user_id")
    .leftJoin("totp_credentials as c", (j) => j.on("c.user_id", "=", "m.user_id").andOnNotNull("c.enabled_at"))
    .where("m.organization_id", organizationId)
    .whereNull("c.user_id")
    .orderBy("u.username")
    .select("m.user_id", "u.username", "u.display_name", "m.role");
}

/** Sets whether the organization requires two-factor authentication of its members. */
export async function setOrganizationRequiresTwoFactor(organizationId: number, required: boolean, q: Executor = db): Promise<void> {
  await q("organizations").where({ id: organizationId }).update({ require_two_factor: required, updated_at: q.fn.now() });
}
