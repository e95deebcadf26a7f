import type { NextFunction, Request, Response } from "express";
import { canAdministerSite } from "../policies/admin";
import { requestMeta } from "./request-meta";
import type { AdminContext } from "../services/admin-audit";
import { notFoundHandler } from "./errors";

/**
 * The admin area's gate: a signed-in, confirmed, unsuspended site admin, or the very 404 page any
 * unknown address gets, for everyone else, signed out included. A 403 or a sign-in redirect would
 * tell every visitor where the admin area is and that it is worth attacking; a 404 tells nothing,
 * as outsiders of an organization get a 404 too. An admin signs in first, from /login.
 */
export function requireSiteAdmin(req: Request, res: Response, next: NextFunction) {
  if (canAdministerSite(req.user)) return next();
  notFoundHandler(req, res);
}

/** The acting admin and the request's IP and user agent, for the audit log. */
export function adminContext(req: Request): AdminContext {
  return { actor: { id: req.user!.id, username: req.user!.username }, meta: requestMeta(req) };
}
