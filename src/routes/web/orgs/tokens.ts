import type { Request, Response } from "express";
import { z } from "zod";
import { displayAccessToken } from "../../../auth/access-token-format";
import { findOrgAccessToken, listOrgAccessTokens, type OrgAccessTokenListRow } from "../../../db/org-access-tokens";
import { listTeams } from "../../../db/teams";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import { formValues, type Valid } from "../../../http/validate";
import { notFound } from "../../../lib/errors";
import { TOKEN_EXPIRY_DAYS } from "../../../services/access-tokens";
import { createOrgAccessToken, ORG_TOKEN_EXPIRY_CHOICES, revokeOrgToken } from "../../../services/org-access-tokens";
import { orgPath } from "./helpers";
import type {} from "../../../http/session-keys";

/** POST /orgs/:org/tokens: description, scope ("organization" or a team id) and expiry. */
export const OrgTokenForm = z.object({
  description: z.string().trim().min(1, "Describe what the token is for.").max(100, "Use at most 100 characters."),
  scope: z.string().regex(/^(organization|\d{1,15})$/, "Choose the organization or one of its teams."),
  expires_in_days: z.enum(ORG_TOKEN_EXPIRY_CHOICES.map(([v]) => v) as [string, ...string[]], `Choose ${TOKEN_EXPIRY_DAYS.join(", ")} days or no expiry.`),
});

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

/** GET /orgs/:org/tokens — organization and team tokens (owners only); a new token is shown once; the form again on a 422. */
export async function showOrgTokens(req: Request, res: Response) {
  const org = req.org!;
  const [rows, teams] = await Promise.all([listOrgAccessTokens(org.id), listTeams(org.id)]);
  const stash = req.session.newOrgAccessToken;
  delete req.session.newOrgAccessToken;
  // The page may hold a secret: no cache may keep a copy.
  res.setHeader("Cache-Control", "no-store");
  const now = new Date();
  res.render("orgs/tokens", {
    title: `Tokens · ${org.name}`,
    tab: "tokens",
    tokens: rows.map((r) => tokenView(r, now)),
    created: stash && stash.organizationId === org.id ? stash.token : undefined,
    teams,
    expiryChoices: ORG_TOKEN_EXPIRY_CHOICES,
    values: formValues(res, { expires_in_days: "90", scope: "organization" }),
  });
}

/** POST /orgs/:org/tokens — creates an organization or team token. */
export async function submitOrgToken(req: Valid<typeof OrgTokenForm>, res: Response) {
  const { row, token } = await createOrgAccessToken(req.org!, req.actor!, req.body);
  req.session.newOrgAccessToken = { organizationId: req.org!.id, token };
  flash(req, "success", `Created the token “${row.description}”.`);
  res.redirect(orgPath(req.org!.slug, "/tokens"));
}

/** GET /orgs/:org/tokens/:id/revoke — asks before revoking a token. */
export async function showRevokeOrgToken(req: Request, res: Response) {
  const org = req.org!;
  const row = await findOrgAccessToken(org.id, idParam(req.params.id, "Token"));
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
  const id = idParam(req.params.id, "Token");
  const row = await findOrgAccessToken(req.org!.id, id);
  await revokeOrgToken(req.org!, req.actor!, id);
  flash(req, "success", row ? `Revoked the token “${row.description}”.` : "The token was revoked.");
  res.redirect(orgPath(req.org!.slug, "/tokens"));
}
