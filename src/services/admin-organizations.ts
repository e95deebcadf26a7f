import { db } from "../db/knex";
import { deleteOrganization, lockOrganization, type OrganizationRow } from "../db/organizations";
import { HttpError } from "../lib/errors";
import { recordAdminAction, type AdminContext } from "./admin-audit";

/**
 * Deletes an organization as a site admin (an abandoned or abusive one): its memberships, teams,
 * invitations and tokens go with it (foreign keys cascade), and the audit log keeps its slug.
 */
export async function deleteOrganizationAsAdmin(admin: AdminContext, organizationId: number): Promise<OrganizationRow> {
  return db.transaction(async (trx) => {
    const org = await lockOrganization(organizationId, trx);
    if (!org) throw new HttpError(404, "Organization not found");
    await recordAdminAction(admin, "organization.deleted", { type: "organization", id: org.id, label: org.slug }, { name: org.name }, trx);
    await deleteOrganization(org.id, trx);
    return org;
  });
}
