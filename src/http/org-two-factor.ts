import type { NextFunction, Request, Response } from "express";
import { hasTwoFactorEnabled } from "../db/totp-credentials";
import { HttpError } from "../lib/errors";

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

/**
 * API route step after loadOrg: the organization's 2FA requirement holds on the API too, so a
 * member's personal token reaches an organization that requires it only once they have 2FA.
 * Organization and team tokens belong to the organization and pass.
 */
export async function requireApiOrgTwoFactor(req: Request, _res: Response, next: NextFunction) {
  const p = req.principal;
  if (req.org?.require_two_factor && p?.kind === "user" && !(await hasTwoFactorEnabled(p.user.id))) {
    throw new HttpError(403, `${req.org.name} requires two-factor authentication. Turn it on in your security settings first.`, "two_factor_required");
  }
  next();
}
