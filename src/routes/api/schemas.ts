import { z } from "zod";

/**
 * The shapes of the JSON API in zod: request bodies are validated with them, presenters return
 * their output types, and /api/v1/openapi.json is generated from them (z.toJSONSchema), so the
 * description cannot drift from what the code sends.
 */

/** Every named schema of the API; openapi.ts turns this registry into components.schemas. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const timestamp = z.iso.datetime().meta({ description: "RFC 3339 time in UTC" });

/** The signed-in user as the API shows them. */
export const UserResource = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    email_confirmed: z.boolean(),
    display_name: z.string(),
    bio: z.string(),
    links: z.array(z.string()),
    profile_public: z.boolean(),
    gravatar_public: z.boolean().meta({ description: "Whether the public profile shows the Gravatar image, whose URL holds a hash of the email address" }),
    pending_email: z.string().nullable().meta({ description: "An email change waiting for its confirmation link to be followed" }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .register(apiSchemas, { id: "User" });

/** A personal access token without its secret. */
export const AccessTokenResource = z
  .object({
    id: z.number().int(),
    description: z.string(),
    display: z.string().meta({ description: "Prefix and last 4 characters, e.g. gth_…Ab12" }),
    prefix: z.string(),
    last4: z.string(),
    created_via: z.enum(["web", "api", "cli"]),
    cli_client: z.string().nullable(),
    cli_host: z.string().nullable(),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
    expires_at: timestamp.nullable(),
    expired: z.boolean(),
  })
  .register(apiSchemas, { id: "AccessToken" });

/** A token just created: the only response that ever carries the secret. */
export const NewAccessTokenResource = AccessTokenResource.extend({
  token: z.string().meta({ description: "The secret. Shown in this response only; store it now." }),
}).register(apiSchemas, { id: "NewAccessToken" });

/** A signed-in browser session. */
export const SessionResource = z
  .object({
    id: z.string().meta({ description: "Opaque id of the session (not the cookie value)" }),
    device: z.string(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    remember: z.boolean(),
    created_at: timestamp,
    last_seen_at: timestamp,
  })
  .register(apiSchemas, { id: "Session" });

const role = z.enum(["owner", "admin", "member"]);

/** An organization as the API shows it, with the caller's role (null for organization and team tokens). */
export const OrganizationResource = z
  .object({ slug: z.string(), name: z.string(), role: role.nullable(), created_at: timestamp, updated_at: timestamp })
  .register(apiSchemas, { id: "Organization" });

/** A membership: the member's public account fields and role, never their email. */
export const MemberResource = z
  .object({
    id: z.number().int().meta({ description: "Id of the membership (used in /members/{id})" }),
    user: z.object({ id: z.number().int(), username: z.string(), display_name: z.string() }),
    role,
    joined_at: timestamp,
  })
  .register(apiSchemas, { id: "Member" });

/** A pending invitation: never its link. */
export const InvitationResource = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role,
    team_ids: z.array(z.number().int()),
    status: z.enum(["pending", "accepted", "declined", "revoked"]),
    invited_by: z.string().nullable().meta({ description: "Username of the inviter; null when an organization token invited" }),
    expires_at: timestamp,
    created_at: timestamp,
  })
  .register(apiSchemas, { id: "Invitation" });

/** The error envelope of every failure. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .register(apiSchemas, { id: "Error" });

/** Pagination facts sent with every list. */
export const PageMeta = z
  .object({ page: z.number().int(), per_page: z.number().int(), total: z.number().int(), total_pages: z.number().int() })
  .register(apiSchemas, { id: "PageMeta" });

/** A page of `item`s. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z.object({ data: z.array(item), meta: PageMeta }).register(apiSchemas, { id });
}

export const UserResponse = z.object({ data: UserResource }).register(apiSchemas, { id: "UserResponse" });
export const AccessTokenPage = pageSchema(AccessTokenResource, "AccessTokenPage");
export const AccessTokenResponse = z.object({ data: AccessTokenResource }).register(apiSchemas, { id: "AccessTokenResponse" });
export const NewAccessTokenResponse = z.object({ data: NewAccessTokenResource }).register(apiSchemas, { id: "NewAccessTokenResponse" });
export const SessionPage = pageSchema(SessionResource, "SessionPage");
export const OrganizationPage = pageSchema(OrganizationResource, "OrganizationPage");
export const OrganizationResponse = z.object({ data: OrganizationResource }).register(apiSchemas, { id: "OrganizationResponse" });
export const MemberPage = pageSchema(MemberResource, "MemberPage");
export const MemberResponse = z.object({ data: MemberResource }).register(apiSchemas, { id: "MemberResponse" });
export const InvitationPage = pageSchema(InvitationResource, "InvitationPage");
export const InvitationResponse = z.object({ data: InvitationResource }).register(apiSchemas, { id: "InvitationResponse" });

/** The terraform-compatible account document (JSON:API). */
export const AccountDetailsResponse = z
  .object({
    data: z.object({
      id: z.string(),
      type: z.literal("users"),
      attributes: z.object({
        username: z.string(),
        email: z.string(),
        "display-name": z.string(),
        "is-service-account": z.boolean(),
        "avatar-url": z.string().nullable(),
      }),
    }),
  })
  .register(apiSchemas, { id: "AccountDetails" });
