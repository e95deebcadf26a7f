import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { formBody } from "../../http/body-parsers";
import { limitByIp } from "../../http/rate-limits";
import { describeClientError } from "../../http/errors";
import { UnsafeInputError } from "../../http/input-guard";
import { validate, type Valid } from "../../http/validate";
import { ValidationError, type FieldErrors } from "../../lib/errors";
import { CLI_CLIENT_ID, CLI_PORTS, CODE_VERIFIER, redeemAuthorizationCode } from "../../services/cli-login";
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
  r.post("/oauth/token", formBody({ limit: "8kb", parameterLimit: 20 }), limitByIp(ctx.limits.loginPerIp), validate(TokenRequestBody), exchangeCode(ctx));
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
 * POST /oauth/token: a token request (application/x-www-form-urlencoded). A repeated parameter
 * arrives as a list and is refused like a missing one. Each message is the error_description of
 * the RFC 6749 §5.2 error that TOKEN_REFUSALS names for its field.
 */
const TokenRequestBody = z.object({
  grant_type: z.literal("authorization_code", "grant_type must be authorization_code"),
  client_id: z.literal(CLI_CLIENT_ID, "unknown client_id"),
  code: z.string("code is required").min(1, "code is required").max(200, "code is required"),
  redirect_uri: z.string("redirect_uri is required").min(1, "redirect_uri is required"),
  code_verifier: z.string("code_verifier is required (43 to 128 characters)").regex(CODE_VERIFIER, "code_verifier is required (43 to 128 characters)"),
});

/**
 * The OAuth error for a refused token request's field, in the order the checks are told: the grant
 * type first, then the client, then the parameters of the grant.
 */
const TOKEN_REFUSALS: [field: keyof z.input<typeof TokenRequestBody>, status: number, error: string][] = [
  ["grant_type", 400, "unsupported_grant_type"],
  ["client_id", 401, "invalid_client"],
  ["code", 400, "invalid_request"],
  ["redirect_uri", 400, "invalid_request"],
  ["code_verifier", 400, "invalid_request"],
];

/** The RFC 6749 §5.2 answer to a token request its schema refused. */
function tokenRefusal(fields: FieldErrors): { status: number; error: string; description: string } {
  for (const [field, status, error] of TOKEN_REFUSALS) {
    if (fields[field]) return { status, error, description: fields[field] };
  }
  return { status: 400, error: "invalid_request", description: "The token request could not be read." };
}

/** Token responses, and their refusals, are never cached (RFC 6749 §5.1). */
function noStore(res: Response) {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Pragma", "no-cache");
}

/**
 * POST /oauth/token — redeems an authorization code for an access token. Replies follow RFC 6749
 * §5 (`{"access_token", "token_type"}`, errors as `{"error", "error_description"}`) rather than
 * the API's one error shape, because OAuth client libraries (Terraform's among them) parse exactly
 * that, and are never cached.
 */
function exchangeCode(ctx: AppContext) {
  return async (req: Valid<typeof TokenRequestBody>, res: Response) => {
    noStore(res);
    const { code, redirect_uri: redirectUri, code_verifier: codeVerifier } = req.body;
    const result = await redeemAuthorizationCode(ctx, { code, redirectUri, codeVerifier }, requestMeta(req));
    if (!result.ok) return res.status(400).json({ error: "invalid_grant", error_description: result.invalidGrant });
    res.json({ access_token: result.accessToken, token_type: "bearer" });
  };
}

/**
 * A token request refused before its handler ran is answered in the RFC 6749 §5.2 shape OAuth
 * clients read: by its schema (validate), with the error its field names; for a body that does
 * not parse, too many fields or a control character, with the status and message the app's error
 * handler would give it. Anything else (a rate limit, an outage, a 500) goes on to that handler.
 */
function tokenErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) return next(err);
  if (err instanceof ValidationError) {
    const refused = tokenRefusal(err.fields);
    noStore(res);
    return res.status(refused.status).json({ error: refused.error, error_description: refused.description });
  }
  const refused = err instanceof UnsafeInputError ? { status: err.status, message: err.message } : describeClientError(err);
  if (!refused) return next(err);
  noStore(res);
  res.status(refused.status).json({ error: "invalid_request", error_description: refused.message });
}
