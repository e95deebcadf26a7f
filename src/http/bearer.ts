import type { NextFunction, Request, Response } from "express";
import type { AppContext } from "../context";
import { touchAccessToken, type AccessTokenRow } from "../db/access-tokens";
import { findLiveAccessTokenWithOwnerByHash, type LiveAccessToken } from "../db/access-token-owners";
import type { UserRow } from "../db/users";
import { consumeOrThrow } from "../services/rate-limits";
import { emailUnconfirmed, personalTokenRequired } from "../lib/errors";
import { ACCESS_TOKEN_PREFIXES, parseAccessToken } from "../auth/access-token-format";
import { orgPrincipalFor, type OrganizationPrincipal, type TeamPrincipal } from "../auth/org-principal";

/**
 * Bearer-token authentication for the JSON API (and the terraform-compatible /api/v2 endpoints).
 *
 * Order of the checks, cheapest first:
 *   1. `Authorization: Bearer <token>` present, and the token well-formed with a valid checksum
 *      (parseAccessToken: no database query for garbage or guesses);
 *   2. one statement: an indexed lookup by SHA-256 hash that excludes revoked and expired tokens,
 *      joined to whoever the token acts as (its user; or its organization and team);
 *   3. the principal is built from that row (for a personal token: its user, who must still exist).
 * Every failure gives the same 401 (same header, same body), so a caller cannot tell a made-up
 * token from a revoked or expired one. Then the per-token rate limit, decided in memory and shared
 * across processes once a second (src/http/batched-rate-limit.ts), and last_used_at is touched at
 * most once a minute, so a busy token's requests write nothing. No argon2 here: tokens carry 256
 * random bits, a fast hash is enough.
 *
 * The authenticated caller is `req.principal`, a union on `kind`:
 *   { kind: "user", user, token }  — a personal access token (prefix gth_) acting as its user;
 *   organization and team kinds    — gto_ and gtt_ tokens (src/auth/org-principal.ts), which act as
 *                                    their organization or team and never as a user.
 * Routes that only serve people use `requireUserPrincipal`.
 */

/** A personal access token acting as its owner. */
export interface UserPrincipal {
  kind: "user";
  user: UserRow;
  token: AccessTokenRow;
  /** The address of the user's pending email change when the token was checked, or null. */
  pendingEmail: string | null;
}

/** Whoever a bearer token authenticates (organization and team tokens: src/auth/org-principal.ts). */
export type Principal = UserPrincipal | OrganizationPrincipal | TeamPrincipal;

declare global {
  namespace Express {
    interface Request {
      /** Set by requireBearer on API routes; never set by the session. */
      principal?: Principal;
    }
  }
}

/** The one 401 body for every bad token. */
export const INVALID_TOKEN_BODY = { error: { code: "invalid_token", message: "A valid access token is required. Send it as: Authorization: Bearer <token>" } };

/** Answers 401 with the RFC 6750 challenge. */
export function sendInvalidToken(res: Response) {
  res.setHeader("WWW-Authenticate", 'Bearer error="invalid_token"');
  res.setHeader("Cache-Control", "no-store");
  return res.status(401).json(INVALID_TOKEN_BODY);
}

/** The token in `Authorization: Bearer <token>`, or undefined. */
function bearerTokenOf(req: Request): string | undefined {
  const header = req.get("authorization");
  const match = header?.match(/^Bearer +([^\s]+) *$/i);
  return match?.[1];
}

/** The principal a live token stands for, or undefined when it stands for nobody any more. */
function principalFor(found: LiveAccessToken): Principal | undefined {
  // Organization and team tokens act as the organization or team, never as a user.
  if (found.token.token_prefix !== ACCESS_TOKEN_PREFIXES.personal) return orgPrincipalFor(found);
  return found.user ? { kind: "user", user: found.user, token: found.token, pendingEmail: found.pendingEmail } : undefined;
}

/** Middleware: authenticates the request by bearer token (see the module comment) or answers 401. */
export function requireBearer(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const parsed = parseAccessToken(bearerTokenOf(req));
    if (!parsed.ok) return sendInvalidToken(res);
    const found = await findLiveAccessTokenWithOwnerByHash(parsed.hash);
    const principal = found && principalFor(found);
    if (!found || !principal) return sendInvalidToken(res);
    const row = found.token;
    await consumeOrThrow(ctx.limits.apiPerToken, String(row.id));
    // Skips the write entirely when the row already says "used within the last minute".
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() >= 60_000) await touchAccessToken(row.id);
    req.principal = principal;
    next();
  };
}

/**
 * Lets through a principal that may use the API: organization and team tokens, and personal tokens
 * of an account whose email is confirmed (it may have changed since the token was made), matching
 * the web rule. Checked before anything is loaded, so such an account learns nothing about which
 * organizations exist.
 */
export function requireConfirmedPrincipal(req: Request, _res: Response, next: NextFunction) {
  const p = req.principal;
  if (p?.kind === "user" && !p.user.email_confirmed_at) throw emailUnconfirmed();
  next();
}

/** The user endpoints: only personal tokens act as a person; with other kinds they answer 403. */
export function requireUserPrincipal(req: Request, _res: Response, next: NextFunction) {
  if (req.principal?.kind !== "user") throw personalTokenRequired();
  requireConfirmedPrincipal(req, _res, next);
}

/** The authenticated user of a request that passed requireUserPrincipal. */
export function principalUser(req: Request): UserRow {
  const p = req.principal;
  if (!p || p.kind !== "user") throw personalTokenRequired();
  return p.user;
}
