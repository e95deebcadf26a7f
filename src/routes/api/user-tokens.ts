import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { principalUser, type UserPrincipal } from "../../http/bearer";
import { countAccessTokensForUser, findAccessTokenForUser, listAccessTokensForUser } from "../../db/access-tokens";
import { notFound } from "../../lib/errors";
import { revokePersonalAccessToken, TOKEN_EXPIRY_DAYS } from "../../services/access-tokens";
import { createTokenWithToken } from "../../services/token-from-token";
import { requestMeta } from "../../http/request-meta";
import { pageOf } from "../../http/pager";
import { idParam } from "../../http/params";
import type { Valid } from "../../http/validate";
import { sendPage } from "./pagination";
import { presentAccessToken, presentNewAccessToken } from "./presenters/access-token";

/** POST /api/v1/user/tokens. Unknown fields are refused rather than silently ignored. */
export const CreateTokenBody = z
  .strictObject({
    description: z
      .string("Describe what the token is for.")
      .trim()
      .min(1, "Describe what the token is for.")
      .max(100, "Use at most 100 characters."),
    expires_in_days: z
      .union([z.literal(TOKEN_EXPIRY_DAYS), z.null()], `Choose ${TOKEN_EXPIRY_DAYS.join(", ")} days, or null for no expiry.`)
      .optional()
      .meta({ description: "Days until expiry (default 90); null for a token that never expires" }),
  });


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
  return async (req: Valid<typeof CreateTokenBody>, res: Response) => {
    const user = principalUser(req);
    const body = req.body;
    // Only a token made for it may create tokens, and none that outlive it (the service chooses the
    // default expiry, capped by the creator's).
    const creator = (req.principal as UserPrincipal).token;
    const { row, token } = await createTokenWithToken(ctx, user, creator, { description: body.description, expiresInDays: body.expires_in_days }, requestMeta(req));
    res.status(201).setHeader("Location", `${ctx.config.baseUrl}/api/v1/user/tokens/${row.id}`);
    res.json({ data: presentNewAccessToken(row, token) });
  };
}

/** GET /api/v1/user/tokens/:id — one of the caller's tokens; another user's id is a 404. */
export async function showToken(req: Request, res: Response) {
  const user = principalUser(req);
  const row = await findAccessTokenForUser(user.id, idParam(req.params.id, "Token"));
  if (!row) throw notFound("Token");
  res.json({ data: presentAccessToken(row) });
}

/**
 * DELETE /api/v1/user/tokens/:id — revokes one of the caller's tokens (it may be the one in use).
 * The query is scoped to the caller, so another user's token id is a 404, like an unknown one.
 */
export async function deleteToken(req: Request, res: Response) {
  const user = principalUser(req);
  const row = await revokePersonalAccessToken(user.id, idParam(req.params.id, "Token"), requestMeta(req));
  if (!row) throw notFound("Token");
  res.status(204).end();
}
