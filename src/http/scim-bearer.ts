import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "../context";
import { ACCESS_TOKEN_PREFIXES, parseAccessToken } from "../auth/access-token-format";
import { findLiveScimTokenByHash, touchScimToken, type ScimTokenRow } from "../db/scim-tokens";
import type { OrganizationRow } from "../db/organizations";
import { ScimError } from "../lib/errors";
import { consumeOrThrow } from "../services/rate-limits";

declare global {
  namespace Express {
    interface Request {
      /** The organization whose SCIM token authenticated the request, set by requireScimToken. */
      scim?: { organization: OrganizationRow; token: ScimTokenRow };
    }
  }
}

/** The one 401 for a missing, malformed, unknown or revoked SCIM token. */
const unauthorized = () => new ScimError(401, "A valid SCIM token of this organization is required: Authorization: Bearer gts_...");

/**
 * Authenticates a SCIM request by the organization's SCIM token (gts_), and nothing else: the
 * router sits before the session middleware, so no cookie is ever read, and personal or
 * organization API tokens are refused like made-up ones (401). A live token of another
 * organization gets 404 for this organization's path, the answer an outsider gets everywhere,
 * so a token for one organization learns nothing about another. The per-token rate limit (the
 * API's, keyed apart from API token ids) is spent before that answer, so every request of a live
 * token counts; last_used_at is touched at most once a minute.
 */
export function requireScimToken(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const match = req.get("authorization")?.match(/^Bearer +([^\s]+) *$/i);
    const parsed = parseAccessToken(match?.[1]);
    if (!parsed.ok || parsed.prefix !== ACCESS_TOKEN_PREFIXES.scim) {
      res.setHeader("WWW-Authenticate", 'Bearer error="invalid_token"');
      throw unauthorized();
    }
    const found = await findLiveScimTokenByHash(parsed.hash);
    if (!found) {
      res.setHeader("WWW-Authenticate", 'Bearer error="invalid_token"');
      throw unauthorized();
    }
    await consumeOrThrow(ctx.limits.apiPerToken, `scim-${found.token.id}`);
    if (found.organization.slug.toLowerCase() !== String(req.params.org ?? "").toLowerCase()) throw new ScimError(404, "Organization not found.");
    if (!found.token.last_used_at || Date.now() - found.token.last_used_at.getTime() >= 60_000) await touchScimToken(found.token.id);
    req.scim = found;
    next();
  };
}
