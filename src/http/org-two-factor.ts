import type { NextFunction, Request, Response } from "express";
import { hasTwoFactorEnabled } from "../db/totp-credentials";

/**
 * Route step after loadOrg: in an organization that requires two-factor authentication, a member
 * without it gets a 403 page saying what to do instead of the organization's pages. Only the
 * overview (which shows the same notice) and leaving stay open, through `noteOrgTwoFactor`.
 */
export async function requireOrgTwoFactor(req: Request, res: Response, next: NextFunction) {
  if (!(await missesRequiredTwoFactor(req))) return next();
  res.status(403).render("orgs/two-factor-required", { title: `${req.org!.name} requires two-factor authentication`, tab: "overview" });
}

/** Route step after loadOrg for the pages that stay open: tells the view whether to show the notice. */
export async function noteOrgTwoFactor(req: Request, res: Response, next: NextFunction) {
  res.locals.twoFactorMissing = await missesRequiredTwoFactor(req);
  next();
}

async function missesRequiredTwoFactor(req: Request): Promise<boolean> {
  return Boolean(req.org?.require_two_factor && req.user && !(await hasTwoFactorEnabled(req.user.id)));
}
