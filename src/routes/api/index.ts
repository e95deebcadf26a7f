import { Router, type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { requireBearer, requireConfirmedPrincipal, requireUserPrincipal } from "../../http/bearer";
import { authorize, loadOrg } from "../../http/load-org";
import { requireApiOrgTwoFactor } from "../../http/org-two-factor";
import { requireApiOrgSso } from "../../http/org-sso";
import { validate } from "../../http/validate";
import * as can from "../../policies/organizations";
import { apiNotFound } from "./errors";
import { errorHandler } from "../../http/errors";
import { jsonBody } from "../../http/body-parsers";
import { serveOpenApi } from "./openapi";
import { accountDetails, ping } from "./terraform";
import { PatchUserBody, showUser, updateUserProfile } from "./user";
import { listSessions } from "./user-sessions";
import { createToken, CreateTokenBody, deleteToken, listTokens, showToken } from "./user-tokens";
import {
  createOrgInvitation, deleteOrgInvitation, deleteOrgMember, InvitationBody, listOrgInvitations, listOrgMembers, listOrgs, RoleBody, showOrg, updateOrgMember,
} from "./orgs";
import { listAdminOrganizations, listAdminUsers, showAdminSettings, showAdminUser, suspendAdminUser, unsuspendAdminUser, updateAdminSettings } from "./admin";
import { requireAdminPrincipal } from "../../http/admin-bearer";
import { SuspendBody } from "./admin-schemas";
import { InstanceSettingsBody } from "../../services/instance-settings-update";

/**
 * The JSON API (/api/...). It is mounted before the session middleware, so the session cookie is
 * never read here: only bearer tokens authenticate (src/http/bearer.ts), which is also why CSRF
 * does not apply. Unknown paths and errors are answered here in JSON, before any web middleware.
 */
export function apiRoutes(ctx: AppContext): Router {
  const api = Router();
  api.use(jsonBody({ limit: "32kb" }));
  // Answers carry account data and secrets (a new token): no cache may keep them.
  api.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  api.use(routeMap(ctx));
  api.use(apiNotFound);
  api.use(errorHandler);
  return api;
}

/**
 * Every API endpoint on one screen, each with its steps in order: authenticate (bearer: the token,
 * then its per-token rate limit, src/http/bearer.ts) -> validate (the body's schema, beside its
 * handler) -> load (loadOrg: 404 for outsiders and other organizations' tokens) -> authorize
 * (the organization policy: 403 for members and tokens without the role) -> handler.
 */
function routeMap(ctx: AppContext): Router {
  const r = Router();
  const bearer = requireBearer(ctx);
  const asUser = [bearer, requireUserPrincipal];
  const inOrgs = [bearer, requireConfirmedPrincipal];
  // Load: the organization (404 for outsiders), then its 2FA requirement for members' tokens (403).
  const inOrg = [loadOrg, requireApiOrgTwoFactor, requireApiOrgSso];

  // Public description of the API
  r.get("/v1/openapi.json", serveOpenApi(ctx));

  // The token's user, personal tokens and sessions
  r.get("/v1/user", asUser, showUser);
  r.patch("/v1/user", asUser, validate(PatchUserBody), updateUserProfile(ctx));
  r.get("/v1/user/tokens", asUser, listTokens(ctx));
  r.post("/v1/user/tokens", asUser, validate(CreateTokenBody), createToken(ctx));
  r.get("/v1/user/tokens/:id", asUser, showToken);
  r.delete("/v1/user/tokens/:id", asUser, deleteToken);
  r.get("/v1/user/sessions", asUser, listSessions(ctx));

  // HCP Terraform-compatible token checks for `terraform login` clients
  r.get("/v2/ping", asUser, ping);
  r.get("/v2/account/details", asUser, accountDetails);

  // Organizations, members, invitations. Any bearer kind: personal tokens act as their (member)
  // user, organization and team tokens as their organization or team.
  r.get("/v1/orgs", inOrgs, listOrgs(ctx));
  r.get("/v1/orgs/:org", inOrgs, inOrg, authorize(can.canViewOrganization), showOrg);
  r.get("/v1/orgs/:org/members", inOrgs, inOrg, authorize(can.canViewOrganization), listOrgMembers(ctx));
  r.patch("/v1/orgs/:org/members/:id", inOrgs, validate(RoleBody), inOrg, authorize(can.canManageMembers), updateOrgMember(ctx));
  r.delete("/v1/orgs/:org/members/:id", inOrgs, inOrg, authorize(can.canManageMembers), deleteOrgMember(ctx));
  r.get("/v1/orgs/:org/invitations", inOrgs, inOrg, authorize(can.canManageInvitations), listOrgInvitations(ctx));
  r.post("/v1/orgs/:org/invitations", inOrgs, validate(InvitationBody), inOrg, authorize(can.canManageInvitations), createOrgInvitation(ctx));
  r.delete("/v1/orgs/:org/invitations/:id", inOrgs, inOrg, authorize(can.canManageInvitations), deleteOrgInvitation);

  // Site administration: a site admin's personal token made for admin use. Anyone else gets 404
  // (a site admin's everyday token 403); further steps for the whole block go in `asAdmin`.
  const asAdmin = [bearer, requireAdminPrincipal];
  r.get("/v1/admin/users", asAdmin, listAdminUsers(ctx));
  r.get("/v1/admin/users/:id", asAdmin, showAdminUser);
  r.post("/v1/admin/users/:id/suspend", asAdmin, validate(SuspendBody), suspendAdminUser(ctx));
  r.post("/v1/admin/users/:id/unsuspend", asAdmin, unsuspendAdminUser);
  r.get("/v1/admin/orgs", asAdmin, listAdminOrganizations(ctx));
  r.get("/v1/admin/settings", asAdmin, showAdminSettings(ctx));
  r.patch("/v1/admin/settings", asAdmin, validate(InstanceSettingsBody), updateAdminSettings(ctx));

  return r;
}
