import type { Request, Response } from "express";
import type { AppContext } from "../../../context";
import { visibleProviders } from "../../../auth/providers";
import { findIdentityForUser, listIdentitiesForUser } from "../../../db/identities";
import { flash } from "../../../http/flash";
import { notFound } from "../../../lib/errors";
import { providerLabel } from "../../../services/external-sign-in";
import { countSignInMethods, isLastSignInMethod, unlinkIdentity } from "../../../services/identities";
import { requestMeta } from "../../../http/request-meta";
import { idParam } from "../../../http/params";

/** GET /settings/identities — linked identities, the ones that can still be connected. */
export function showIdentitySettings(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = req.user!;
    const identities = await listIdentitiesForUser(user.id);
    const hasPassword = !!user.password_hash;
    const linked = new Set(identities.map((i) => i.provider));
    res.render("settings/identities/index", {
      title: "Linked identities",
      section: "identities",
      identities: identities.map((i) => ({ ...i, label: providerLabel(i.provider) })),
      connectable: visibleProviders(ctx.config, ctx.settings.current()).filter((p) => !linked.has(p.name)),
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
    identity: { ...identity, label: providerLabel(identity.provider) },
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
