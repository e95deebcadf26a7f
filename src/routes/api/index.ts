import express, { Router, type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { requireBearer, requireUserPrincipal } from "../../auth/bearer";
import { apiErrorHandler, apiNotFound } from "./errors";
import { serveOpenApi } from "./openapi";
import { accountDetails, ping } from "./terraform";
import { showUser } from "./user";
import { listSessions } from "./user-sessions";
import { createToken, deleteToken, listTokens, showToken } from "./user-tokens";

/**
 * The JSON API (/api/...). It is mounted before the session middleware, so the session cookie is
 * never read here: only bearer tokens authenticate (src/auth/bearer.ts), which is also why CSRF
 * does not apply. Unknown paths and errors are answered here in JSON, before any web middleware.
 */
export function apiRoutes(ctx: AppContext): Router {
  const api = Router();
  api.use(express.json({ limit: "32kb" }));
  // Answers carry account data and secrets (a new token): no cache may keep them.
  api.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  api.use(routeMap(ctx));
  api.use(apiNotFound);
  api.use(apiErrorHandler);
  return api;
}

/** Every API endpoint on one screen. */
function routeMap(ctx: AppContext): Router {
  const r = Router();
  const bearer = requireBearer(ctx);
  const asUser = [bearer, requireUserPrincipal];

  // Public description of the API
  r.get("/v1/openapi.json", serveOpenApi(ctx));

  // The token's user, personal tokens and sessions (issue 5)
  r.get("/v1/user", asUser, showUser);
  r.get("/v1/user/tokens", asUser, listTokens(ctx));
  r.post("/v1/user/tokens", asUser, createToken(ctx));
  r.get("/v1/user/tokens/:id", asUser, showToken);
  r.delete("/v1/user/tokens/:id", asUser, deleteToken);
  r.get("/v1/user/sessions", asUser, listSessions(ctx));

  // HCP Terraform-compatible token checks for `terraform login` clients (issue 5)
  r.get("/v2/ping", asUser, ping);
  r.get("/v2/account/details", asUser, accountDetails);

  // Organizations, members, invitations (issue 6)

  return r;
}
