import type { Request, Response } from "express";
import type { AppContext } from "../../../context";
import { visibleProviders } from "../../../auth/providers";
import { findIdentityForUser, listIdentitiesForUser, type IdentityRow } from "../../../db/identities";
import { listSsoOrganizationsForUser, organizationNamesById } from "../../../db/organization-sso";
import { ssoOrganizationId, ssoProviderKey } from "../../../services/sso/sign-in";
import { flash } from "../../../http/flash";
import { notFound } from "../../../lib/errors";
import { providerLabel } from "../../../services/external-sign-in";
import { countSignInMethods, isLastSignInMethod, unlinkIdentity } from "../../../services/identities";
import { requestMeta } from "../../../http/request-meta";
import { idParam } from "../../../http/params";

/** A labeller for identities: the provider's name, or "<organization> SSO" for an organization's identity provider. */
async function identityLabels(identities: IdentityRow[]): Promise<(i: IdentityRow) => string> {
  const names = await organizationNamesById(identities.map((i) => ssoOrganizationId(i.provider)).filter((id) => id !== undefined));
  return (i) => {
    const orgId = ssoOrganizationId(i.provider);
    return orgId === undefined ? providerLabel(i.provider) : `${names.get(orgId) ?? "A former organization’s"} SSO`;
  };
}

/** GET /settings/identities — linked identities, the ones that can still be connected (providers, and organizations' SSO). */
export function showIdentitySettings(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = req.user!;
    const identities = await listIdentitiesForUser(user.id);
    const hasPassword = !!user.password_hash;
    const linked = new Set(identities.map((i) => i.provider));
    const labels = await identityLabels(identities);
    res.render("settings/identities/index", {
      title: "Linked identities",
      section: "identities",
      identities: identities.map((i) => ({ ...i, label: labels(i), mark: ssoOrganizationId(i.provider) === undefined ? i.provider : "sso" })),
      connectable: visibleProviders(ctx.config, ctx.settings.current()).filter((p) => !linked.has(p.name)),
      connectableSso: (await listSsoOrganizationsForUser(user.id)).filter((o) => !linked.has(ssoProviderKey(o.id))),
      hasPassword,
      lastMethod: isLastSignInMethod(hasPassword, await countSignInMethods(user.id)),
    });
  };
}

/** GET /settings/identities/:id/delete — asks before disconnecting. Someone else's id is a 404. */
export async function showUnlinkIdentity(req: Request, res: Response) {
  const identity = await findIdentityForUser(req.user!.id, idParam(req.params.id, "Identity"));
  if (!identity) throw notFound("Identity");
  res.render("settings/identities/delete", {
    title: "Disconnect identity",
    section: "identities",
    identity: { ...identity, label: (await identityLabels([identity]))(identity) },
    lastMethod: isLastSignInMethod(!!req.user!.password_hash, await countSignInMethods(req.user!.id)),
  });
}

/**
 * POST /settings/identities/:id/delete — disconnects, unless it is the last way to sign in (no
 * password and no other identity): an account nobody can enter is lost for good.
 */
export function submitUnlinkIdentity(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const outcome = await unlinkIdentity(ctx, req.user!.id, idParam(req.params.id, "Identity"), requestMeta(req));
    if (outcome.kind === "not_found") throw notFound("Identity");
    if (outcome.kind === "last_method") {
      flash(req, "error", "This is your only way to sign in. Set a password or connect another identity before disconnecting it.");
    } else {
      flash(req, "success", `${providerLabel(outcome.provider)} was disconnected. It can no longer be used to sign in.`);
    }
    res.redirect("/settings/identities");
  };
}
