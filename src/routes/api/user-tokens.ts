import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { principalUser, type UserPrincipal } from "../../auth/bearer";
import { countAccessTokensForUser, findAccessTokenForUser, listAccessTokensForUser } from "../../db/access-tokens";
import { notFound } from "../../lib/errors";
import { revokePersonalAccessToken } from "../../services/access-tokens";
import { createTokenWithToken } from "../../services/token-from-token";
import { requestMeta } from "../../http/request-meta";
import { validBody } from "./body";
import { pageOf, sendPage } from "./pagination";
import { presentAccessToken, presentNewAccessToken } from "./presenters/access-token";
import { CreateTokenBody } from "./schemas";

/** GET /api/v1/user/tokens — the caller's unrevoked personal tokens, newest first, paginated. */
export function listTokens(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = principalUser(req);
    const page = pageOf(req);
    const [rows, total] = await Promise.all([listAccessTokensForUser(user.id, page.perPage, page.offset), countAccessTokensForUser(user.id)]);
    const now = new Date();
    sendPage(ctx, req, res, rows.map((r) => presentAccessToken(r, now)), page, total);
  };
}

/**
 * POST /api/v1/user/tokens — creates a token; the response is the only time its secret is sent.
 * The owner gets the same security notice as for tokens made on the settings page.
 */
export function createToken(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = principalUser(req);
    const body = validBody(CreateTokenBody, req.body);
    // Only a token made for it may create tokens, and none that outlive it (see the service).
    const creator = (req.principal as UserPrincipal).token;
    const { row, token } = await createTokenWithToken(ctx, user, creator, { description: body.description, expiresInDays: body.expires_in_days }, requestMeta(req));
    res.status(201).setHeader("Location", `${ctx.config.baseUrl}/api/v1/user/tokens/${row.id}`);
    res.json({ data: presentNewAccessToken(row, token) });
  };
}

/** GET /api/v1/user/tokens/:id — one of the caller's tokens; another user's id is a 404. */
export async function showToken(req: Request, res: Response) {
  const user = principalUser(req);
  const row = await findAccessTokenForUser(user.id, tokenId(req));
  if (!row) throw notFound("Token");
  res.json({ data: presentAccessToken(row) });
}

/**
 * DELETE /api/v1/user/tokens/:id — revokes one of the caller's tokens (it may be the one in use).
 * The query is scoped to the caller, so another user's token id is a 404, like an unknown one.
 */
export async function deleteToken(req: Request, res: Response) {
  const user = principalUser(req);
  const row = await revokePersonalAccessToken(user.id, tokenId(req), requestMeta(req));
  if (!row) throw notFound("Token");
  res.status(204).end();
}

/** The :id parameter as a positive integer; anything else cannot name a token, so it is a 404. */
function tokenId(req: Request): number {
  const id = Number(req.params.id);
  if (!/^\d{1,15}$/.test(String(req.params.id)) || id <= 0) throw notFound("Token");
  return id;
}
