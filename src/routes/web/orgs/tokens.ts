import type { Request, Response } from "express";
import { displayAccessToken } from "../../../auth/access-token-format";
import { findOrgAccessToken, listOrgAccessTokens, type OrgAccessTokenListRow } from "../../../db/org-access-tokens";
import { listTeams } from "../../../db/teams";
import { flash } from "../../../http/flash";
import { keptValues, parseBody } from "../../../http/validate";
import { notFound } from "../../../lib/errors";
import { createOrgAccessToken, ORG_TOKEN_EXPIRY_CHOICES, OrgTokenForm, revokeOrgToken } from "../../../services/org-access-tokens";
import { idParam, orgPath } from "./helpers";
import type {} from "../../../http/session-keys";

function tokenView(row: OrgAccessTokenListRow, now: Date) {
  return {
    id: row.id,
    description: row.description,
    display: displayAccessToken(row.token_prefix, row.last4),
    scope: row.team_name ? `Team ${row.team_name}` : "Organization",
    createdBy: row.created_by_username ?? "—",
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    expired: row.expires_at !== null && row.expires_at <= now,
  };
}

async function render(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
  const org = req.org!;
  const [rows, teams] = await Promise.all([listOrgAccessTokens(org.id), listTeams(org.id)]);
  const stash = req.session.newOrgAccessToken;
  delete req.session.newOrgAccessToken;
  // The page may hold a secret: no cache may keep a copy.
  res.setHeader("Cache-Control", "no-store");
  const now = new Date();
  res.status(status).render("orgs/tokens", {
    title: `Tokens · ${org.name}`,
    tab: "tokens",
    tokens: rows.map((r) => tokenView(r, now)),
    created: stash && stash.organizationId === org.id ? stash.token : undefined,
    teams,
    expiryChoices: ORG_TOKEN_EXPIRY_CHOICES,
    values: { expires_in_days: "90", scope: "organization" },
    ...extra,
  });
}

/** GET /orgs/:org/tokens — organization and team tokens (owners only); a new token is shown once. */
export async function showOrgTokens(req: Request, res: Response) {
  await render(req, res);
}

/** POST /orgs/:org/tokens — creates an organization or team token. */
export async function submitOrgToken(req: Request, res: Response) {
  const values = keptValues(req.body);
  const parsed = parseBody(OrgTokenForm, req.body);
  if (!parsed.ok) return render(req, res, 422, { values, errors: parsed.errors });
  const result = await createOrgAccessToken(req.org!, req.membership!, req.user!.id, parsed.data);
  if (!result.ok) return render(req, res, 422, { values, errors: result.errors });
  req.session.newOrgAccessToken = { organizationId: req.org!.id, token: result.token };
  flash(req, "success", `Created the token “${result.row.description}”.`);
  res.redirect(orgPath(req.org!.slug, "/tokens"));
}

/** GET /orgs/:org/tokens/:id/revoke — asks before revoking a token. */
export async function showRevokeOrgToken(req: Request, res: Response) {
  const org = req.org!;
  const row = await findOrgAccessToken(org.id, idParam(req.params.id));
  if (!row) throw notFound("Token");
  res.render("orgs/confirm", {
    title: `Revoke “${row.description}”?`,
    tab: "tokens",
    message: `Scripts using ${displayAccessToken(row.token_prefix, row.last4)} are refused from their next request. This cannot be undone.`,
    action: orgPath(org.slug, `/tokens/${row.id}/revoke`),
    button: "Revoke token",
    back: orgPath(org.slug, "/tokens"),
  });
}

/** POST /orgs/:org/tokens/:id/revoke — revokes a token of this organization. */
export async function submitRevokeOrgToken(req: Request, res: Response) {
  await revokeOrgToken(req.org!, req.membership!, idParam(req.params.id));
  flash(req, "success", "The token was revoked.");
  res.redirect(orgPath(req.org!.slug, "/tokens"));
}
