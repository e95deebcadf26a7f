import { z } from "zod";
import { apiSchemas, pageSchema } from "./schemas";

/** The shapes of the admin API (/api/v1/admin/...), registered with the rest for the OpenAPI document. */

const timestamp = z.iso.datetime().meta({ description: "RFC 3339 time in UTC" });

/** An account as site admins see it: its state besides its public fields. */
export const AdminUserResource = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    display_name: z.string(),
    email_confirmed: z.boolean(),
    suspended: z.boolean(),
    suspended_at: timestamp.nullable(),
    site_admin: z.boolean(),
    two_factor: z.boolean(),
    organization_count: z.number().int(),
    last_sign_in_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .register(apiSchemas, { id: "AdminUser" });

/** An organization as site admins see it. */
export const AdminOrganizationResource = z
  .object({ id: z.number().int(), slug: z.string(), name: z.string(), member_count: z.number().int(), created_at: timestamp })
  .register(apiSchemas, { id: "AdminOrganization" });

/** The effective instance settings, and which of them the environment locks. */
export const InstanceSettingsResource = z
  .object({
    signup_mode: z.enum(["open", "invite_only", "closed"]),
    signup_email_domains: z.array(z.string()),
    hidden_providers: z.array(z.enum(["github", "gitlab", "atlassian", "google"])),
    password_min_length: z.number().int(),
    require_two_factor: z.boolean(),
    session_idle_minutes: z.number().int(),
    session_max_hours: z.number().int(),
    remembered_session_days: z.number().int(),
    locked: z.array(z.string()).meta({ description: "Fields set by an environment variable, which wins; PATCHing one is refused (422)" }),
  })
  .register(apiSchemas, { id: "InstanceSettings" });

export const AdminUserPage = pageSchema(AdminUserResource, "AdminUserPage");
export const AdminUserResponse = z.object({ data: AdminUserResource }).register(apiSchemas, { id: "AdminUserResponse" });
export const AdminOrganizationPage = pageSchema(AdminOrganizationResource, "AdminOrganizationPage");
export const InstanceSettingsResponse = z.object({ data: InstanceSettingsResource }).register(apiSchemas, { id: "InstanceSettingsResponse" });

/** POST /api/v1/admin/users/{id}/suspend */
export const SuspendBody = z.strictObject({
  reason: z.string().trim().max(500, "Use at most 500 characters.").optional().meta({ description: "Sent to the user in the suspension mail" }),
});
