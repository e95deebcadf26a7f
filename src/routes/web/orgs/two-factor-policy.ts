import type { NextFunction, Request, Response } from "express";
import { listMembersWithoutTwoFactor } from "../../../db/organization-two-factor";
import { flash } from "../../../http/flash";
import { requestMeta } from "../../../http/request-meta";
import { canRequireTwoFactor } from "../../../policies/organizations";
import { setTwoFactorRequirement } from "../../../services/organization-two-factor";

/** Route step for the settings page: owners see the policy and who is not compliant. */
export async function loadTwoFactorPolicy(req: Request, res: Response, next: NextFunction) {
  if (canRequireTwoFactor(req.membership ?? null)) {
    res.locals.twoFactorPolicy = { required: req.org!.require_two_factor, missing: await listMembersWithoutTwoFactor(req.org!.id) };
  }
  next();
}

/** POST /orgs/:org/settings/two-factor — owners require (or stop requiring) 2FA of every member. */
export async function submitTwoFactorPolicy(req: Request, res: Response) {
  const required = req.body?.require_two_factor === "yes";
  const result = await setTwoFactorRequirement(req.org!, req.membership!, required, requestMeta(req));
  if (!result.ok) flash(req, "error", result.error);
  else flash(req, "success", required
    ? `${req.org!.name} now requires two-factor authentication. Members without it can only see the overview until they turn it on.`
    : `${req.org!.name} no longer requires two-factor authentication.`);
  res.redirect(`/orgs/${encodeURIComponent(req.org!.slug)}/settings`);
}
