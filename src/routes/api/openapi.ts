import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { InvitationBody, RoleBody } from "./orgs";
import { apiSchemas } from "./schemas";
import { PatchUserBody } from "./user";
import { CreateTokenBody } from "./user-tokens";
import { SuspendBody } from "./admin-schemas";
import { InstanceSettingsBody } from "../../services/instance-settings-update";

/**
 * The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json. Component schemas are
 * generated from the zod schemas the presenters are typed with (schemas.ts), request bodies from the
 * zod schemas the route map validates them with (beside each handler: user.ts, user-tokens.ts,
 * orgs.ts); test/routes/api/openapi.test.ts checks real responses against it and that every
 * endpoint of the route map is described.
 */

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: JsonObject, description: string, headers?: JsonObject) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema } },
});
const error = (description: string) => json(ref("Error"), description);
const UNAUTHORIZED = {
  description: "Missing, malformed, unknown, expired or revoked token (one answer for all)",
  headers: { "WWW-Authenticate": { schema: { type: "string", const: 'Bearer error="invalid_token"' } } },
  content: { "application/json": { schema: ref("Error") } },
};
const LINK = { Link: { description: "RFC 8288 links to the first, prev, next and last pages", schema: { type: "string" } } };
const PAGE_PARAMS = [
  { name: "page", in: "query", description: "Page number, from 1", schema: { type: "integer", minimum: 1, default: 1 } },
  { name: "per_page", in: "query", description: "Items per page", schema: { type: "integer", minimum: 1, maximum: 100, default: 30 } },
];
const TOKEN_ID = [{ name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } }];
const ORG = { name: "org", in: "path", required: true, description: "The organization's slug (any letter case)", schema: { type: "string" } };
const ORG_ITEM = (description: string) => [ORG, { name: "id", in: "path", required: true, description, schema: { type: "integer", minimum: 1 } }];
const FORBIDDEN = error("Your role (or your token's kind) does not allow this; owners_in_person when an organization token reaches for an owner; unconfirmed for an account whose email is not confirmed");
const OUTSIDER = error("No such organization, or you are not part of it (the same answer for both)");

/** A zod schema as a standalone JSON Schema for a request body. */
function inputSchema(schema: z.ZodType): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonObject;
  return rest;
}

/** The registry's schemas as OpenAPI components, cross-referenced by #/components/schemas/<id>. */
function componentSchemas(): Record<string, JsonObject> {
  const { schemas } = z.toJSONSchema(apiSchemas, { io: "output", uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonObject> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, s]) => {
      const { $schema: _s, $id: _i, ...rest } = s;
      return [id, rest];
    }),
  );
}

/** Path items of the personal endpoints. */
function userPaths(): Record<string, JsonObject> {
  return {
    "/api/v1/user": {
      get: { summary: "The token's user", operationId: "getUser", tags: ["user"], responses: { 200: json(ref("UserResponse"), "The user"), 401: UNAUTHORIZED } },
      patch: {
        summary: "Change username and profile fields; start an email change (confirmed by a mailed link, needs current_password)",
        operationId: "updateUser",
        tags: ["user"],
        requestBody: { required: true, content: { "application/json": { schema: inputSchema(PatchUserBody) } } },
        responses: {
          200: json(ref("UserResponse"), "The user after the change; a requested email shows as pending_email"),
          401: UNAUTHORIZED,
          422: error("Invalid fields (taken username, bad link, wrong current_password...), each named in error.fields"),
          429: error("Too many email changes; see Retry-After"),
        },
      },
    },
    "/api/v1/user/tokens": {
      get: {
        summary: "List your personal access tokens (unrevoked, newest first)",
        operationId: "listTokens",
        tags: ["tokens"],
        parameters: PAGE_PARAMS,
        responses: { 200: json(ref("AccessTokenPage"), "A page of tokens", LINK), 401: UNAUTHORIZED, 422: error("Bad page parameters") },
      },
      post: {
        summary: "Create a personal access token (only with a token made with \"Can create tokens\"; never outliving it); the secret is in this response only",
        operationId: "createToken",
        tags: ["tokens"],
        requestBody: { required: true, content: { "application/json": { schema: inputSchema(CreateTokenBody) } } },
        responses: {
          201: json(ref("NewAccessTokenResponse"), "The new token with its secret", { Location: { schema: { type: "string" } } }),
          401: UNAUTHORIZED,
          403: error("The calling token may not create tokens (token_cannot_create_tokens)"),
          422: error("Invalid fields, each named in error.fields, or an expiry later than the calling token's"),
        },
      },
    },
    "/api/v1/user/tokens/{id}": {
      get: {
        summary: "One of your tokens",
        operationId: "getToken",
        tags: ["tokens"],
        parameters: TOKEN_ID,
        responses: { 200: json(ref("AccessTokenResponse"), "The token"), 401: UNAUTHORIZED, 404: error("Not one of your live tokens") },
      },
      delete: {
        summary: "Revoke one of your tokens (it stops working on the next request)",
        operationId: "revokeToken",
        tags: ["tokens"],
        parameters: TOKEN_ID,
        responses: { 204: { description: "Revoked" }, 401: UNAUTHORIZED, 404: error("Not one of your live tokens") },
      },
    },
    "/api/v1/user/sessions": {
      get: {
        summary: "Your signed-in browser sessions, most recently active first",
        operationId: "listSessions",
        tags: ["sessions"],
        parameters: PAGE_PARAMS,
        responses: { 200: json(ref("SessionPage"), "A page of sessions", LINK), 401: UNAUTHORIZED, 422: error("Bad page parameters") },
      },
    },
    "/api/v2/ping": {
      get: { summary: "Token check for Terraform-compatible clients", operationId: "ping", tags: ["terraform"], responses: { 204: { description: "The token works" }, 401: UNAUTHORIZED } },
    },
    "/api/v2/account/details": {
      get: {
        summary: "The token's user as a JSON:API document (HCP Terraform's account endpoint)",
        operationId: "accountDetails",
        tags: ["terraform"],
        responses: { 200: { description: "The account", content: { "application/vnd.api+json": { schema: ref("AccountDetails") } } }, 401: UNAUTHORIZED },
      },
    },
  };
}

const NOT_ADMIN = error("Not a site admin's token (or not a personal token): the admin API answers as if it did not exist");
const NOT_ADMIN_TOKEN = error("A site admin's token that was not made for admin use (`admin_token_required`)");
const USER_ID = [{ name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } }];
const SEARCH = [{ name: "q", in: "query", description: "Text the results contain (case-insensitive)", schema: { type: "string", maxLength: 100 } }];

/** Path items of the admin API: a site admin's personal token made for admin use only. */
function adminPaths(): Record<string, JsonObject> {
  const admin = (op: JsonObject, responses: JsonObject) => ({ tags: ["admin"], ...op, responses: { ...responses, 401: UNAUTHORIZED, 403: NOT_ADMIN_TOKEN, 404: NOT_ADMIN } });
  return {
    "/api/v1/admin/users": {
      get: admin(
        { summary: "Every account, searchable by username, email or name", operationId: "adminListUsers", parameters: [...SEARCH, ...PAGE_PARAMS] },
        { 200: json(ref("AdminUserPage"), "A page of users, by username", LINK), 422: error("Bad page or search parameters") },
      ),
    },
    "/api/v1/admin/users/{id}": {
      get: admin({ summary: "One account with its state", operationId: "adminGetUser", parameters: USER_ID }, { 200: json(ref("AdminUserResponse"), "The user (404 also for no such user)") }),
    },
    "/api/v1/admin/users/{id}/suspend": {
      post: admin(
        {
          summary: "Suspend an account: its sessions end, its tokens are refused, sign-in is refused, and it is mailed",
          operationId: "adminSuspendUser",
          parameters: USER_ID,
          requestBody: { required: false, content: { "application/json": { schema: inputSchema(SuspendBody) } } },
        },
        { 200: json(ref("AdminUserResponse"), "The suspended user"), 409: error("Your own account, or the last active site admin"), 422: error("Invalid fields") },
      ),
    },
    "/api/v1/admin/users/{id}/unsuspend": {
      post: admin({ summary: "Lift a suspension", operationId: "adminUnsuspendUser", parameters: USER_ID }, { 200: json(ref("AdminUserResponse"), "The user") }),
    },
    "/api/v1/admin/orgs": {
      get: admin(
        { summary: "Every organization, searchable by slug or name", operationId: "adminListOrganizations", parameters: [...SEARCH, ...PAGE_PARAMS] },
        { 200: json(ref("AdminOrganizationPage"), "A page of organizations, by slug", LINK), 422: error("Bad page or search parameters") },
      ),
    },
    "/api/v1/admin/settings": {
      get: admin({ summary: "The effective instance settings", operationId: "adminGetSettings" }, { 200: json(ref("InstanceSettingsResponse"), "The settings") }),
      patch: admin(
        {
          summary: "Change instance settings (any subset); those set by an environment variable are refused",
          operationId: "adminUpdateSettings",
          requestBody: { required: true, content: { "application/json": { schema: inputSchema(InstanceSettingsBody) } } },
        },
        { 200: json(ref("InstanceSettingsResponse"), "The settings after the change"), 422: error("Invalid or locked fields, each named in error.fields") },
      ),
    },
  };
}

/** Path items of the organization endpoints (any token kind; see the description for each kind's reach). */
function orgPaths(): Record<string, JsonObject> {
  const body = (schema: z.ZodType) => ({ required: true, content: { "application/json": { schema: inputSchema(schema) } } });
  return {
    "/api/v1/orgs": {
      get: {
        summary: "Your organizations with your role (an organization or team token: its own organization)",
        operationId: "listOrganizations",
        tags: ["organizations"],
        parameters: PAGE_PARAMS,
        responses: { 200: json(ref("OrganizationPage"), "A page of organizations", LINK), 401: UNAUTHORIZED, 403: FORBIDDEN, 422: error("Bad page parameters") },
      },
    },
    "/api/v1/orgs/{org}": {
      get: {
        summary: "One organization",
        operationId: "getOrganization",
        tags: ["organizations"],
        parameters: [ORG],
        responses: { 200: json(ref("OrganizationResponse"), "The organization"), 401: UNAUTHORIZED, 403: FORBIDDEN, 404: OUTSIDER },
      },
    },
    "/api/v1/orgs/{org}/members": {
      get: {
        summary: "The members, owners first, searchable by username or name",
        description: "`q` matches usernames and display names; for owners, admins and organization tokens, who manage members, it also matches email addresses.",
        operationId: "listMembers",
        tags: ["organizations"],
        parameters: [ORG, ...SEARCH, ...PAGE_PARAMS],
        responses: { 200: json(ref("MemberPage"), "A page of members", LINK), 401: UNAUTHORIZED, 403: FORBIDDEN, 404: OUTSIDER, 422: error("Bad page or search parameters") },
      },
    },
    "/api/v1/orgs/{org}/members/{id}": {
      patch: {
        summary: "Change a member's role (admins and owners; never above your own role, owners only by owners in person)",
        operationId: "updateMember",
        tags: ["organizations"],
        parameters: ORG_ITEM("Id of the membership"),
        requestBody: body(RoleBody),
        responses: {
          200: json(ref("MemberResponse"), "The membership after the change"),
          401: UNAUTHORIZED,
          403: FORBIDDEN,
          404: error("Not a member of this organization, or no such organization"),
          409: error("The change would leave the organization without an owner (last_owner)"),
          422: error("Invalid fields, each named in error.fields"),
        },
      },
      delete: {
        summary: "Remove a member (admins and owners; owners only by owners in person)",
        operationId: "removeMember",
        tags: ["organizations"],
        parameters: ORG_ITEM("Id of the membership"),
        responses: {
          204: { description: "Removed" },
          401: UNAUTHORIZED,
          403: FORBIDDEN,
          404: error("Not a member of this organization, or no such organization"),
          409: error("The organization would be left without an owner (last_owner)"),
        },
      },
    },
    "/api/v1/orgs/{org}/invitations": {
      get: {
        summary: "Pending invitations (admins, owners, organization tokens)",
        operationId: "listInvitations",
        tags: ["organizations"],
        parameters: [ORG, ...PAGE_PARAMS],
        responses: { 200: json(ref("InvitationPage"), "A page of pending invitations", LINK), 401: UNAUTHORIZED, 403: FORBIDDEN, 404: OUTSIDER, 422: error("Bad page parameters") },
      },
      post: {
        summary: "Invite an address with a role and teams; the invitation link is mailed to it (the same answer whether or not it has an account, unless the account is already a member)",
        operationId: "createInvitation",
        tags: ["organizations"],
        parameters: [ORG],
        requestBody: body(InvitationBody),
        responses: {
          201: json(ref("InvitationResponse"), "The invitation", { Location: { schema: { type: "string" } } }),
          401: UNAUTHORIZED,
          403: FORBIDDEN,
          404: OUTSIDER,
          422: error("Invalid fields (a role above your own, a team of another organization, an address of a member or of yourself, an invitation already pending...), each named in error.fields"),
          429: error("Too many invitations for this organization, inviter or address; see Retry-After"),
        },
      },
    },
    "/api/v1/orgs/{org}/invitations/{id}": {
      delete: {
        summary: "Revoke a pending invitation (its link stops working at once)",
        operationId: "revokeInvitation",
        tags: ["organizations"],
        parameters: ORG_ITEM("Id of the invitation"),
        responses: { 204: { description: "Revoked" }, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: error("Not a pending invitation of this organization, or no such organization") },
      },
    },
  };
}

/** Builds the OpenAPI document for this instance's BASE_URL. */
export function openApiDocument(ctx: AppContext): JsonObject {
  return {
    openapi: "3.1.0",
    info: {
      title: "Gatehouse API",
      version: "1",
      description: [
        "Authenticate every request with a token: `Authorization: Bearer <token>`. The session cookie is never accepted here.",
        [
          "Three kinds of token, each with its own reach:",
          "- **Personal** (`gth_…`): acts as its user, on every endpoint, with that user's role in each organization.",
          "- **Organization** (`gto_…`, created by an owner): acts as its organization and as no user (the `/api/v1/user` endpoints answer 403). Under `/api/v1/orgs/<its org>` it reads members and invitations, changes the roles of admins and members, removes them and invites admins and members. It cannot make anyone an owner, change or remove an owner, or invite an owner (403 `owners_in_person`): that is for owners in person, so a leaked token cannot take the organization over.",
          "- **Team** (`gtt_…`): acts as its team and only reads its organization and members.",
          "A token of one organization sees no other organization (404).",
          "- **Admin** (a personal token made with “For admin use” by a site admin): also reaches `/api/v1/admin/…` while its owner is a site admin. Other tokens get 404 there (a site admin's everyday token 403).",
        ].join("\n"),
        "Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}`; validation errors are 422 with one message per field in `fields`.",
        "Lists take `?page=` (from 1) and `?per_page=` (1..100, default 30) and answer `{\"data\": [...], \"meta\": {\"page\", \"per_page\", \"total\", \"total_pages\"}}` with a `Link` header (first, prev, next, last).",
        "Requests are rate limited per token; over the limit the answer is 429 with `Retry-After`. Invitations are also limited per organization, per inviter and per recipient address (429 with `Retry-After`).",
      ].join("\n\n"),
    },
    servers: [{ url: ctx.config.baseUrl }],
    security: [{ bearerAuth: [] }],
    tags: [{ name: "user" }, { name: "tokens" }, { name: "sessions" }, { name: "terraform" }, { name: "organizations" }, { name: "admin" }],
    paths: { ...userPaths(), ...orgPaths(), ...adminPaths() },
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "A personal (gth_...), organization (gto_...) or team (gtt_...) access token; see the description above for what each may do" } },
      schemas: componentSchemas(),
    },
  };
}

/** GET /api/v1/openapi.json — the description above; public, like any API documentation. */
export function serveOpenApi(ctx: AppContext) {
  let cached: JsonObject | undefined;
  return (_req: Request, res: Response) => {
    cached ??= openApiDocument(ctx);
    res.json(cached);
  };
}
