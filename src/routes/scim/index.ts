import { Router, type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { jsonBody } from "../../http/body-parsers";
import { requireScimToken } from "../../http/scim-bearer";
import { validate } from "../../http/validate";
import { listResourceTypes, listSchemas, showResourceType, showSchema, showServiceProviderConfig } from "./discovery";
import { scimErrorHandler, scimNotFound } from "./errors";
import { createScimGroup, deleteScimGroup, listScimGroups, patchScimGroup, replaceScimGroup, ScimGroupBody, showScimGroup } from "./groups";
import { createScimUser, deleteScimUser, listScimUsers, patchScimUser, replaceScimUser, ScimPatchBody, ScimUserBody, showScimUser } from "./users";

/**
 * SCIM 2.0 provisioning (/scim/v2/orgs/:org/...), RFC 7644, for an organization's identity
 * provider. Mounted before the session middleware like /api: only the organization's SCIM token
 * authenticates (src/http/scim-bearer.ts), never a cookie, so CSRF does not apply. Bodies are JSON
 * as application/scim+json or application/json; answers are application/scim+json, errors in
 * SCIM's shape (./errors.ts), and nothing may be cached.
 */
export function scimRoutes(ctx: AppContext): Router {
  const scim = Router();
  scim.use(jsonBody({ limit: "256kb", type: ["application/scim+json", "application/json"] }));
  scim.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  scim.use(routeMap(ctx));
  scim.use(scimNotFound);
  scim.use(scimErrorHandler);
  return scim;
}

/**
 * Every SCIM endpoint with its steps: authenticate (the organization's SCIM token, which also
 * loads the organization, answers 404 for another organization's path and spends the per-token
 * rate limit) -> validate (the body's schema) -> handler. There is no role to authorize: the token
 * is the organization's provisioning grant, and the services keep owners out of its reach.
 */
function routeMap(ctx: AppContext): Router {
  const r = Router({ caseSensitive: false });
  const token = requireScimToken(ctx);
  const base = "/v2/orgs/:org";

  r.get(`${base}/ServiceProviderConfig`, token, showServiceProviderConfig);
  r.get(`${base}/ResourceTypes`, token, listResourceTypes);
  r.get(`${base}/ResourceTypes/:id`, token, showResourceType);
  r.get(`${base}/Schemas`, token, listSchemas);
  r.get(`${base}/Schemas/:id`, token, showSchema);

  r.get(`${base}/Users`, token, listScimUsers);
  r.post(`${base}/Users`, token, validate(ScimUserBody), createScimUser);
  r.get(`${base}/Users/:id`, token, showScimUser);
  r.put(`${base}/Users/:id`, token, validate(ScimUserBody), replaceScimUser);
  r.patch(`${base}/Users/:id`, token, validate(ScimPatchBody), patchScimUser);
  r.delete(`${base}/Users/:id`, token, deleteScimUser);

  r.get(`${base}/Groups`, token, listScimGroups);
  r.post(`${base}/Groups`, token, validate(ScimGroupBody), createScimGroup);
  r.get(`${base}/Groups/:id`, token, showScimGroup);
  r.put(`${base}/Groups/:id`, token, validate(ScimGroupBody), replaceScimGroup);
  r.patch(`${base}/Groups/:id`, token, validate(ScimPatchBody), patchScimGroup);
  r.delete(`${base}/Groups/:id`, token, deleteScimGroup);

  return r;
}
