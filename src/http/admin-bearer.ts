import type { NextFunction, Request, Response } from "express";
import { HttpError } from "../lib/errors";
import { canAdministerSite, canUseAdminApi } from "../policies/admin";
import type { AdminContext } from "../services/admin-audit";
import type { RequestMeta } from "../services/request-meta";

/**
 * The admin API's gate, after requireBearer: a personal token of a site admin, made for admin use.
 * Everyone else gets the API's plain 404, as if the endpoints did not exist (the web admin area
 * answers the same way, for the same reason: nothing tells a stranger where to aim). A site admin's
 * everyday token gets a 403 that says why, since its owner already knows the area exists.
 */
export function requireAdminPrincipal(req: Request, _res: Response, next: NextFunction) {
  const p = req.principal;
  const user = p?.kind === "user" ? p.user : undefined;
  if (!p || p.kind !== "user" || !canAdministerSite(user)) throw new HttpError(404, "Not found");
  if (!canUseAdminApi(user, p.token)) throw new HttpError(403, "This token was not made for admin use. Create one with “For admin use” ticked on the Access tokens page.", "admin_token_required");
  next();
}

/** The acting admin of a request that passed requireAdminPrincipal, with its IP and user agent. */
export function apiAdminContext(req: Request, meta: RequestMeta): AdminContext {
  const p = req.principal;
  if (!p || p.kind !== "user") throw new HttpError(404, "Not found");
  return { actor: { id: p.user.id, username: p.user.username }, meta };
}
