import type { NextFunction, Request, Response } from "express";
import { findMembership, type MembershipRow } from "../db/memberships";
import { findOrganizationBySlug, type OrganizationRow } from "../db/organizations";
import { notFound, HttpError } from "../lib/errors";
import { orgAbilities, type Actor } from "../policies/organizations";

declare global {
  namespace Express {
    interface Request {
      /** The organization named by :org, set by loadOrg. */
      org?: OrganizationRow;
      /** The signed-in user's membership in req.org, set by loadOrg. */
      membership?: MembershipRow;
    }
  }
}

/**
 * Loads the organization named by `:org` and the signed-in user's membership in it. Someone who is
 * not a member gets the same 404 as for an organization that does not exist, so outsiders cannot
 * find out which organizations exist. Views get `org`, `membership` and `can`.
 */
export async function loadOrg(req: Request, res: Response, next: NextFunction) {
  const org = await findOrganizationBySlug(String(req.params.org ?? ""));
  const membership = org && req.user ? await findMembership(org.id, req.user.id) : undefined;
  if (!org || !membership) throw notFound("Organization");
  req.org = org;
  req.membership = membership;
  res.locals.org = org;
  res.locals.membership = membership;
  res.locals.can = orgAbilities(membership);
  next();
}

/**
 * Lets the request through only when `policy` allows the member (after loadOrg). A member without
 * the role gets 403: they know the organization exists, so a 404 would hide nothing.
 */
export function authorize(policy: (actor: Actor | null) => boolean) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!policy(req.membership ?? null)) throw new HttpError(403, "Your role in this organization does not allow that.");
    next();
  };
}
