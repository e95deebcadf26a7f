import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { displayAccessToken } from "../../../auth/access-token-format";
import { countAccessTokensForUser, findAccessTokenForUser, listAccessTokensForUser, type AccessTokenRow } from "../../../db/access-tokens";
import { flash } from "../../../http/flash";
import { pageWithin } from "../../../http/pager";
import { idParam } from "../../../http/params";
import { formValues, type Valid } from "../../../http/validate";
import { notFound } from "../../../lib/errors";
import { createPersonalAccessToken, DEFAULT_TOKEN_EXPIRY_DAYS, revokePersonalAccessToken, TOKEN_EXPIRY_DAYS } from "../../../services/access-tokens";
import { requestMeta } from "../../../http/request-meta";
import { canCreateAdminToken } from "../../../policies/admin";
import type {} from "../../../http/session-keys";

const PER_PAGE = 20;

/** The expiry choices of the form, in order: value of expires_in_days and its label. */
const EXPIRY_CHOICES: readonly [string, string][] = [...TOKEN_EXPIRY_DAYS.map((d) => [String(d), `${d} days`] as [string, string]), ["none", "No expiry"]];

/** POST /settings/tokens: a description and an expiry choice. */
export const TokenForm = z.object({
  description: z.string().trim().min(1, "Describe what the token is for.").max(100, "Use at most 100 characters."),
  expires_in_days: z.enum(
    EXPIRY_CHOICES.map(([value]) => value) as [string, ...string[]],
    `Choose ${TOKEN_EXPIRY_DAYS.join(", ")} days or no expiry.`,
  ),
  // A checkbox, sent only when ticked; offered to site admins only (the service checks again).
  admin: z.literal("on").optional(),
  // A checkbox: present when ticked.
  can_create_tokens: z.literal("yes").optional(),
});

/** One row of the tokens table (the view formats its times). */
function tokenView(row: AccessTokenRow, now: Date) {
  const expired = row.expires_at !== null && row.expires_at <= now;
  return {
    id: row.id,
    description: row.description,
    display: displayAccessToken(row.token_prefix, row.last4),
    admin: row.admin,
    viaCli: row.created_via === "cli",
    canCreateTokens: row.can_create_tokens,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    expired,
  };
}

/** GET /settings/tokens — the create form (again on a 422), the token just created (once), and the list. */
export async function showTokens(req: Request, res: Response) {
  const user = req.user!;
  const { page, pages, offset } = pageWithin(req, await countAccessTokensForUser(user.id), PER_PAGE);
  const rows = await listAccessTokensForUser(user.id, PER_PAGE, offset);
  const created = req.session.newAccessToken;
  delete req.session.newAccessToken;
  const now = new Date();
  // The page may hold a secret: neither the browser nor a proxy may keep a copy of it.
  res.setHeader("Cache-Control", "no-store");
  res.render("settings/tokens/index", {
    title: "Access tokens",
    section: "tokens",
    tokens: rows.map((r) => tokenView(r, now)),
    created,
    page,
    pages,
    expiryChoices: EXPIRY_CHOICES,
    offerAdminTokens: canCreateAdminToken(user),
    values: formValues(res, { expires_in_days: String(DEFAULT_TOKEN_EXPIRY_DAYS) }),
  });
}

/**
 * POST /settings/tokens — creates a token and redirects to the list, where its secret is shown
 * this once. The owner gets a security notice by mail.
 */
export function submitCreateToken(ctx: AppContext) {
  return async (req: Valid<typeof TokenForm>, res: Response) => {
    const days = req.body.expires_in_days === "none" ? null : Number(req.body.expires_in_days);
    const { row, token } = await createPersonalAccessToken(ctx, req.user!, { description: req.body.description, expiresInDays: days, via: "web", admin: req.body.admin === "on", canCreateTokens: req.body.can_create_tokens === "yes" }, requestMeta(req));
    req.session.newAccessToken = { id: row.id, token };
    flash(req, "success", `Token “${row.description}” created.`);
    res.redirect("/settings/tokens");
  };
}

/** The :id of one of the signed-in user's live tokens, or a 404 (someone else's id included). */
async function ownToken(req: Request): Promise<AccessTokenRow> {
  const row = await findAccessTokenForUser(req.user!.id, idParam(req.params.id, "Token"));
  if (!row) throw notFound("Token");
  return row;
}

/** GET /settings/tokens/:id/revoke — asks again before revoking (the destructive step). */
export async function showRevokeToken(req: Request, res: Response) {
  const row = await ownToken(req);
  res.render("settings/tokens/revoke", { title: "Revoke token", section: "tokens", token: tokenView(row, new Date()) });
}

/** POST /settings/tokens/:id/revoke — revokes the token; anything using it gets 401 from the next request. */
export async function submitRevokeToken(req: Request, res: Response) {
  const row = await ownToken(req);
  await revokePersonalAccessToken(req.user!.id, row.id, requestMeta(req));
  flash(req, "success", `Token “${row.description}” revoked. Anything still using it is now refused.`);
  res.redirect("/settings/tokens");
}
