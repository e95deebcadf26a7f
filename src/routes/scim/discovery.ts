import type { Request, Response } from "express";
import { ScimError } from "../../lib/errors";
import { SCIM_MAX_RESULTS } from "./list-query";
import { listResponse, SCHEMAS, scimBase, sendScim } from "./resources";

/**
 * The discovery endpoints (RFC 7644 §4): what this service provider supports, its two resource
 * types and the attributes of their schemas, as the routes and services implement them.
 */

const attr = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name, type, multiValued: false, required: false, caseExact: false, mutability: "readWrite", returned: "default", uniqueness: "none", ...extra,
});

const NAME_PARTS = ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"].map((n) => attr(n, "string"));

const SCHEMA_DOCS = [
  {
    id: SCHEMAS.user,
    name: "User",
    description: "A person in the organization: active while they are a member.",
    attributes: [
      attr("userName", "string", { required: true, uniqueness: "server" }),
      attr("externalId", "string", { caseExact: true }),
      attr("displayName", "string"),
      attr("name", "complex", { subAttributes: NAME_PARTS }),
      attr("emails", "complex", { multiValued: true, subAttributes: [attr("value", "string"), attr("type", "string"), attr("primary", "boolean"), attr("display", "string")] }),
      attr("active", "boolean"),
    ],
  },
  {
    id: SCHEMAS.group,
    name: "Group",
    description: "A team of the organization.",
    attributes: [
      attr("displayName", "string", { required: true, uniqueness: "server" }),
      attr("externalId", "string", { caseExact: true }),
      attr("members", "complex", { multiValued: true, subAttributes: [attr("value", "string", { mutability: "immutable" }), attr("display", "string", { mutability: "readOnly" }), attr("$ref", "reference", { mutability: "immutable", referenceTypes: ["User"] })] }),
    ],
  },
];

const RESOURCE_TYPES = [
  { id: "User", name: "User", endpoint: "/Users", description: "Members of the organization", schema: SCHEMAS.user },
  { id: "Group", name: "Group", endpoint: "/Groups", description: "Teams of the organization", schema: SCHEMAS.group },
];

/** GET /ServiceProviderConfig — PATCH and filters yes; bulk, sort, ETags and password changes no. */
export function showServiceProviderConfig(req: Request, res: Response) {
  sendScim(res, 200, {
    schemas: [SCHEMAS.serviceProviderConfig],
    documentationUri: `${req.app.locals.config.baseUrl}/orgs/${encodeURIComponent(req.scim!.organization.slug)}/settings/scim`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: "oauthbearertoken", name: "OAuth Bearer Token", description: "The organization's SCIM token (gts_...) in Authorization: Bearer", primary: true }],
    meta: { resourceType: "ServiceProviderConfig", location: `${scimBase(req)}/ServiceProviderConfig` },
  });
}

const resourceType = (req: Request, t: (typeof RESOURCE_TYPES)[number]) => ({ schemas: [SCHEMAS.resourceType], ...t, meta: { resourceType: "ResourceType", location: `${scimBase(req)}/ResourceTypes/${t.id}` } });
const schemaDoc = (req: Request, s: (typeof SCHEMA_DOCS)[number]) => ({ schemas: [SCHEMAS.schema], ...s, meta: { resourceType: "Schema", location: `${scimBase(req)}/Schemas/${s.id}` } });

/** GET /ResourceTypes — User and Group. */
export function listResourceTypes(req: Request, res: Response) {
  sendScim(res, 200, listResponse(RESOURCE_TYPES.map((t) => resourceType(req, t)), RESOURCE_TYPES.length, 1));
}

/** GET /ResourceTypes/:id — one resource type, or 404. */
export function showResourceType(req: Request, res: Response) {
  const t = RESOURCE_TYPES.find((r) => r.id === req.params.id);
  if (!t) throw new ScimError(404, "Resource type not found.");
  sendScim(res, 200, resourceType(req, t));
}

/** GET /Schemas — the User and Group schemas. */
export function listSchemas(req: Request, res: Response) {
  sendScim(res, 200, listResponse(SCHEMA_DOCS.map((s) => schemaDoc(req, s)), SCHEMA_DOCS.length, 1));
}

/** GET /Schemas/:id — one schema by its URN, or 404. */
export function showSchema(req: Request, res: Response) {
  const s = SCHEMA_DOCS.find((d) => d.id === req.params.id);
  if (!s) throw new ScimError(404, "Schema not found.");
  sendScim(res, 200, schemaDoc(req, s));
}
