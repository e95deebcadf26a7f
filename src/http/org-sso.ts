import type { NextFunction, Request, Response } from "express";
import { findIdentityForUserByProvider } from "../db/identities";
import { findSsoProvider, type SsoProviderRow } from "../db/organization-sso";
import { HttpError } from "../lib/errors";
import { ssoProviderKey } from "../services/sso/sign-in";

/**
 * An organization that requires single sign-on, on the web and the API.
 *
 * Web: a member (not an owner) reaches the organization's pages only in a session that came through
 * its identity provider within the SSO session lifetime (the session's `ssoSignIns`, written when
 * the sign-in started the session: src/http/sign-in.ts); otherwise a page with the SSO button.
 * Owners are exempt: they keep a break-glass way in when the IdP is down or misconfigured, and
 * only owners can change or remove the IdP anyway.
 *
 * API: a member's personal token is accepted on the organization's endpoints only within the SSO
 * session lifetime since that member's last sign-in through the organization's IdP (the time on
 * their `sso:<id>` identity). HCP Terraform's rule, in its simplest honest form: a token outlives
 * the SSO session only until the person signs in through the IdP again. Organization and team
 * tokens belong to the organization and pass, as for the 2FA requirement.
 */

const HOUR_MS = 3_600_000;

async function requiringProvider(req: Request): Promise<SsoProviderRow | undefined> {
  const actor = req.actor;
  if (!req.org || actor?.kind !== "user" || actor.role === "owner") return undefined;
  const provider = await findSsoProvider(req.org.id);
  return provider?.require_sso ? provider : undefined;
}

/** Whether `at` (ms) lies within the provider's SSO session lifetime from now. */
const withinLifetime = (provider: SsoProviderRow, at: number | undefined) => at !== undefined && Date.now() - at < provider.session_lifetime_hours * HOUR_MS;

/** Web route step after loadOrg: members without a recent SSO sign-in in this session see the SSO page instead. */
export async function requireOrgSso(req: Request, res: Response, next: NextFunction) {
  const provider = await requiringProvider(req);
  if (!provider || withinLifetime(provider, req.session.ssoSignIns?.[req.org!.id])) return next();
  res.status(403).render("orgs/sso-required", { title: `Sign in with ${req.org!.name}’s SSO to continue`, tab: "overview", next: req.originalUrl });
}

/** API route step after loadOrg: a personal token of a member works only within the SSO session lifetime since their last SSO sign-in. */
export async function requireApiOrgSso(req: Request, _res: Response, next: NextFunction) {
  const provider = await requiringProvider(req);
  if (provider) {
    const identity = await findIdentityForUserByProvider(req.actor!.user_id, ssoProviderKey(req.org!.id));
    if (!withinLifetime(provider, identity?.last_used_at?.getTime())) {
      throw new HttpError(403, `${req.org!.name} requires single sign-on. Sign in with its SSO at /login/sso, then use your token again.`, "sso_required");
    }
  }
  next();
}
