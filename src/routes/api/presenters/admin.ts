import type { z } from "zod";
import type { AdminOrganizationListRow, AdminUserListRow } from "../../../db/admin-directory";
import type { AdminOrganizationResource, AdminUserResource, InstanceSettingsResource } from "../admin-schemas";
import type { InstanceSettingsValues } from "../../../services/instance-settings";
import { settingsToFields } from "../../../services/instance-settings-update";

/** An account as the admin API shows it: state and counts, never its password hash or tokens. */
export function presentAdminUser(u: AdminUserListRow): z.infer<typeof AdminUserResource> {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    display_name: u.display_name,
    email_confirmed: u.email_confirmed_at !== null,
    suspended: u.suspended_at !== null,
    suspended_at: u.suspended_at?.toISOString() ?? null,
    site_admin: u.is_site_admin,
    two_factor: u.two_factor,
    organization_count: u.organization_count,
    last_sign_in_at: u.last_sign_in_at?.toISOString() ?? null,
    created_at: u.created_at.toISOString(),
  };
}

/** An organization as the admin API shows it. */
export function presentAdminOrganization(o: AdminOrganizationListRow): z.infer<typeof AdminOrganizationResource> {
  return { id: o.id, slug: o.slug, name: o.name, member_count: o.member_count, created_at: o.created_at.toISOString() };
}

/** The effective instance settings with the fields the environment locks. */
export function presentInstanceSettings(values: InstanceSettingsValues, locked: string[]): z.infer<typeof InstanceSettingsResource> {
  return { ...settingsToFields(values), locked };
}
