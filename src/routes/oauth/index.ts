import { Router, type NextFunction, type Request, type Response } from "express";
import type { AppContext } from "../../context";
import { formBody } from "../../http/body-parsers";
import { limitByIp } from "../../http/rate-limits";
import { describeClientError } from "../../http/errors";
import { UnsafeInputError } from "../../http/input-guard";
import { CLI_CLIENT_ID, CLI_PORTS, redeemAuthorizationCode } from "../../services/cli-login";
import { requestMeta } from "../../http/request-meta";

/**
 * The machine-facing half of the CLI sign-in (see services/cli-login.ts): service discovery and the
 * token endpoint. Mounted before the session middleware: the CLI has no cookie and no CSRF token,
 * and the code + PKCE verifier it sends are its whole proof. The browser half (/oauth/authorization,
 * /cli/login) lives with the web routes because it needs the signed-in session.
 */
export function oauthRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get("/.well-known/terraform.json", serviceDiscovery);
  r.post("/oauth/token", formBody({ limit: "8kb", parameterLimit: 20 }), limitByIp(ctx.limits.loginPerIp), exchangeCode(ctx));
  r.use("/oauth/token", tokenErrorHandler);
  return r;
}

/** GET /.well-known/terraform.json — Terraform's service discovery, advertising login.v1. */
function serviceDiscovery(_req: Request, res: Response) {
  res.json({
    "login.v1": {
      client: CLI_CLIENT_ID,
      grant_types: ["authz_code"],
      authz: "/oauth/authorization",
      token: "/oauth/token",
      ports: [...CLI_PORTS],
    },
  });
}

/**
 * POST /oauth/token — redeems an authorization code for an access token. Replies follow RFC 6749
 * §5 (`{"access_token", "token_type"}`, errors as `{"error", "error_description"}`) because OAuth
 * client libraries parse exactly that, and are never cached.
 */
function exchangeCode(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
    const result = await redeemAuthorizationCode(ctx, req.body ?? {}, requestMeta(req));
    if (!result.ok) return res.status(result.status).json(result.body);
    res.json({ access_token: result.accessToken, token_type: "bearer" });
  };
}

/**
 * A token request refused before its handler ran (a body that does not parse, too many fields, a
 * control character) is answered in the RFC 6749 §5.2 shape OAuth clients read, with the status
 * and message the app's error handler would give it; anything else (a rate limit, an outage, a
 * 500) goes on to that handler.
 */
function tokenErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction) {
  const refused = err instanceof UnsafeInputError ? { status: err.status, message: err.message } : describeClientError(err);
  if (!refused || res.headersSent) return next(err);
  res.setHeader("Cache-Control", "no-store");
  res.status(refused.status).json({ error: "invalid_request", error_description: refused.message });
}
