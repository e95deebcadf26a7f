import { Router, type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { requireBearer, requireUserPrincipal } from "../../auth/bearer";
import { apiErrorHandler, apiNotFound } from "./errors";
import { jsonBody } from "../../http/body-parsers";
import { serveOpenApi } from "./openapi";
import { accountDetails, ping } from "./terraform";
import { showUser, updateUserProfile } from "./user";
import { listSessions } from "./user-sessions";
import { createToken, deleteToken, listTokens, showToken } from "./user-tokens";
import { listAdminOrganizations, listAdminUsers, showAdminSettings, showAdminUser, suspendAdminUser, unsuspendAdminUser, updateAdminSettings } from "./admin";
import { requireAdminPrincipal } from "../../auth/admin-bearer";
import { createOrgInvitation, deleteOrgInvitation, deleteOrgMember, listOrgInvitations, listOrgMembers, listOrgs, loadApiOrg, showOrg, updateOrgMember } from "./orgs";

/**
 * The JSON API (/api/...). It is mounted before the session middleware, so the session cookie is
 * never read here: only bearer tokens authenticate (src/auth/bearer.ts), which is also why CSRF
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
  api.use(apiErrorHandler);
  return api;
}

/** Every API endpoint on one screen. */
function routeMap(ctx: AppContext): Router {
  const r = Router();
  const bearer = requireBearer(ctx);
  const asUser = [bearer, requireUserPrincipal];

  // Public description of the API
  r.get("/v1/openapi.json", serveOpenApi(ctx));

  // The token's user, personal tokens and sessions
  r.get("/v1/user", asUser, showUser);
  r.patch("/v1/user", asUser, updateUserProfile(ctx));
  r.get("/v1/user/tokens", asUser, listTokens(ctx));
  r.post("/v1/user/tokens", asUser, createToken(ctx));
  r.get("/v1/user/tokens/:id", asUser, showToken);
  r.delete("/v1/user/tokens/:id", asUser, deleteToken);
  r.get("/v1/user/sessions", asUser, listSessions(ctx));

  // HCP Terraform-compatible token checks for `terraform login` clients
  r.get("/v2/ping", asUser, ping);
  r.get("/v2/account/details", asUser, accountDetails);

  // Organizations, members, invitations
  // Any bearer kind: personal tokens act as their (member) user, organization and team tokens as
  // their organization or team; loadApiOrg answers 404 for organizations the caller is not part of.
  const inOrg = [bearer, loadApiOrg];
  r.get("/v1/orgs", bearer, listOrgs(ctx));
  r.get("/v1/orgs/:org", inOrg, showOrg);
  r.get("/v1/orgs/:org/members", inOrg, listOrgMembers(ctx));
  r.patch("/v1/orgs/:org/members/:id", inOrg, updateOrgMember(ctx));
  r.delete("/v1/orgs/:org/members/:id", inOrg, deleteOrgMember(ctx));
  r.get("/v1/orgs/:org/invitations", inOrg, listOrgInvitations(ctx));
  r.post("/v1/orgs/:org/invitations", inOrg, createOrgInvitation(ctx));
  r.delete("/v1/orgs/:org/invitations/:id", inOrg, deleteOrgInvitation);

  // Site administration: a site admin's personal token made for admin use. Anyone else gets 404
  // (a site admin's everyday token 403); further steps for the whole block go in `asAdmin`.
  const asAdmin = [bearer, requireAdminPrincipal];
  r.get("/v1/admin/users", asAdmin, listAdminUsers(ctx));
  r.get("/v1/admin/users/:id", asAdmin, showAdminUser);
  r.post("/v1/admin/users/:id/suspend", asAdmin, suspendAdminUser(ctx));
  r.post("/v1/admin/users/:id/unsuspend", asAdmin, unsuspendAdminUser);
  r.get("/v1/admin/orgs", asAdmin, listAdminOrganizations(ctx));
  r.get("/v1/admin/settings", asAdmin, showAdminSettings(ctx));
  r.patch("/v1/admin/settings", asAdmin, updateAdminSettings(ctx));

  return r;
}
