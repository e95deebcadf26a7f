import type { Request, Response } from "express";
import type { ExternalProfile } from "../../auth/providers/types";
import { findIdentityByProviderId } from "../../db/identities";
import { markReauthenticated } from "../../http/recent-auth";
import { requestMeta } from "../../http/request-meta";
import { safeNextPath } from "../../http/safe-redirect";
import { providerLabel } from "../../services/external-sign-in";
import { recordSecurityEvent } from "../../services/security-log";

/**
 * The end of a provider sign-in started from /settings/reauthenticate: it counts as a fresh proof
 * only when it came back to the account that started it, with an identity already linked to that
 * account, and only for an account without a password (which has no other first factor to offer).
 * Linking happens elsewhere and needs this proof first, so the provider cannot vouch for an
 * identity it has just been given.
 */
export async function finishProviderReauth(req: Request, res: Response, flow: { userId?: number; returnTo?: string }, profile: ExternalProfile) {
  const label = providerLabel(profile.provider);
  const identity = await findIdentityByProviderId(profile.provider, profile.id);
  const user = req.user;
  if (!user || user.id !== flow.userId || identity?.user_id !== user.id || user.password_hash !== null) {
    return res.status(403).render("auth/provider-error", {
      title: "Not confirmed",
      heading: "That did not confirm it's you",
      message: `The ${label} account you signed in with is not one linked to the account signed in here, so nothing was confirmed.`,
      retry: "/settings/reauthenticate",
    });
  }
  markReauthenticated(req, false);
  await recordSecurityEvent(user.id, "reauthenticated", requestMeta(req), { method: profile.provider });
  res.redirect(safeNextPath(flow.returnTo, "/settings/security"));
}
