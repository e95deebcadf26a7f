import type { AppContext } from "../context";
import { db } from "../db/knex";
import { listMemberAddresses } from "../db/memberships";
import { deleteOrganization, lockOrganization, type OrganizationRow } from "../db/organizations";
import { organizationDeletedMail } from "../emails/organization-deleted";
import { HttpError } from "../lib/errors";
import { recordAdminAction, type AdminContext } from "./admin-audit";

/** Who the members' mail says deleted it: admins act for the instance, so it names the role, as the mail to a deleted account does. */
const SITE_ADMIN = "A site administrator";

/**
 * Deletes an organization as a site admin (an abandoned or abusive one): its memberships, teams,
 * invitations and tokens go with it (foreign keys cascade), and the audit log keeps its slug. Every
 * member is mailed, as when an owner deletes it: people who lose access to an organization hear
 * why, in the deleting transaction, so only if it happened.
 */
export async function deleteOrganizationAsAdmin(ctx: AppContext, admin: AdminContext, organizationId: number): Promise<OrganizationRow> {
  return db.transaction(async (trx) => {
    const org = await lockOrganization(organizationId, trx);
    if (!org) throw new HttpError(404, "Organization not found");
    const members = await listMemberAddresses(org.id, {}, trx);
    await recordAdminAction(admin, "organization.deleted", { type: "organization", id: org.id, label: org.slug }, { name: org.name }, trx);
    await deleteOrganization(org.id, trx);
    await ctx.mail.queueAll(members.map((m) => organizationDeletedMail({ userId: m.user_id, to: m.email, recipient: m.username, orgName: org.name, orgSlug: org.slug, actor: SITE_ADMIN })), trx);
    return org;
  });
}
