import type { Request, Response } from "express";
import { displayAccessToken } from "../../../auth/access-token-format";
import { findScimToken, listScimTokens } from "../../../db/scim-tokens";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import { notFound } from "../../../lib/errors";
import { createScimToken, revokeScimTokenOf } from "../../../services/scim/tokens";
import { orgPath } from "./helpers";
import type {} from "../../../http/session-keys";

/** The organization's SCIM base URL, from BASE_URL (the same as the SCIM router answers under). */
const scimBaseUrl = (req: Request) => `${req.app.locals.config.baseUrl}/scim/v2/orgs/${encodeURIComponent(req.org!.slug)}`;

/** The path of the SCIM settings page. */
export const scimSettingsPath = (req: Request) => orgPath(String(req.params.org), "/settings/scim");

/** GET /orgs/:org/settings/scim — the SCIM base URL, the tokens (a new one shown once), revoke links. */
export async function showScimSettings(req: Request, res: Response) {
  const org = req.org!;
  const rows = await listScimTokens(org.id);
  const stash = req.session.newScimToken;
  delete req.session.newScimToken;
  // The page may hold a secret: no cache may keep a copy.
  res.setHeader("Cache-Control", "no-store");
  res.render("orgs/scim", {
    title: `SCIM provisioning · ${org.name}`,
    tab: "settings",
    baseUrl: scimBaseUrl(req),
    created: stash && stash.organizationId === org.id ? stash.token : undefined,
    tokens: rows.map((r) => ({ id: r.id, display: displayAccessToken(r.token_prefix, r.last4), createdAt: r.created_at, createdBy: r.created_by_username ?? "—", lastUsedAt: r.last_used_at })),
  });
}

/** POST /orgs/:org/settings/scim/tokens — creates a SCIM token, shown once on the page after the redirect. */
export async function submitCreateScimToken(req: Request, res: Response) {
  const { token } = await createScimToken(req.org!, req.actor!);
  req.session.newScimToken = { organizationId: req.org!.id, token };
  flash(req, "success", "Created a SCIM token.");
  res.redirect(orgPath(req.org!.slug, "/settings/scim"));
}

/** GET /orgs/:org/settings/scim/tokens/:id/revoke — asks before revoking. */
export async function showRevokeScimToken(req: Request, res: Response) {
  const org = req.org!;
  const row = await findScimToken(org.id, idParam(req.params.id, "Token"));
  if (!row) throw notFound("Token");
  res.render("orgs/confirm", {
    title: `Revoke ${displayAccessToken(row.token_prefix, row.last4)}?`,
    tab: "settings",
    message: "The identity provider using this token is refused from its next request, and provisioning stops until it is given a new token. This cannot be undone.",
    action: orgPath(org.slug, `/settings/scim/tokens/${row.id}/revoke`),
    button: "Revoke SCIM token",
    back: orgPath(org.slug, "/settings/scim"),
  });
}

/** POST /orgs/:org/settings/scim/tokens/:id/revoke — revokes one of this organization's SCIM tokens. */
export async function submitRevokeScimToken(req: Request, res: Response) {
  await revokeScimTokenOf(req.org!, req.actor!, idParam(req.params.id, "Token"));
  flash(req, "success", "The SCIM token was revoked.");
  res.redirect(orgPath(req.org!.slug, "/settings/scim"));
}
