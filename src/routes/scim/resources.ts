import type { Request, Response } from "express";
import type { ScimUserView } from "../../db/scim-users";
import type { ScimGroupWithMembers } from "../../services/scim/groups";

/** The SCIM schema URNs Gatehouse speaks. */
export const SCHEMAS = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  list: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patch: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

/** Sends a SCIM body with its media type (RFC 7644 §3.1) and status. */
export function sendScim(res: Response, status: number, body: unknown): void {
  res.status(status).type("application/scim+json").send(JSON.stringify(body));
}

/** The organization's SCIM base URL, built from BASE_URL like every other link (never from request headers). */
export function scimBase(req: Request): string {
  return `${req.app.locals.config.baseUrl}/scim/v2/orgs/${encodeURIComponent(req.scim!.organization.slug)}`;
}

/** A User resource (RFC 7643 §4.1): the IdP's attributes, else what the account has. */
export function userResource(base: string, row: ScimUserView) {
  const p = row.profile ?? {};
  const created = row.scim_created_at ?? row.membership_created_at ?? row.created_at;
  return {
    schemas: [SCHEMAS.user],
    id: String(row.id),
    externalId: row.external_id ?? undefined,
    userName: row.user_name ?? row.email,
    name: p.name ?? (row.display_name ? { formatted: row.display_name } : undefined),
    displayName: p.displayName ?? (row.display_name || undefined),
    emails: p.emails?.length ? p.emails : [{ value: row.email, type: "work", primary: true }],
    active: row.membership_id !== null,
    meta: { resourceType: "User", created: created.toISOString(), lastModified: (row.scim_updated_at ?? created).toISOString(), location: `${base}/Users/${row.id}` },
  };
}

/** A Group resource (RFC 7643 §4.2); `members` left out when the request excluded it. */
export function groupResource(base: string, group: ScimGroupWithMembers, withMembers = true) {
  return {
    schemas: [SCHEMAS.group],
    id: String(group.id),
    externalId: group.external_id ?? undefined,
    displayName: group.name,
    members: withMembers ? group.members.map((m) => ({ value: String(m.user_id), display: m.username, $ref: `${base}/Users/${m.user_id}`, type: "User" })) : undefined,
    meta: { resourceType: "Group", created: group.created_at.toISOString(), lastModified: group.updated_at.toISOString(), location: `${base}/Groups/${group.id}` },
  };
}

/** A ListResponse (RFC 7644 §3.4.2). */
export function listResponse(resources: unknown[], total: number, startIndex: number) {
  return { schemas: [SCHEMAS.list], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}
