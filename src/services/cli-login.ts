import crypto from "node:crypto";
import type { AppContext } from "../context";
import { db } from "../db/knex";
import { consumeAuthorizationCode, deleteExpiredAuthorizationCodes, insertAuthorizationCode } from "../db/oauth-authorization-codes";
import { findUserById, type UserRow } from "../db/users";
import { hashToken, randomToken, safeEqual } from "../lib/tokens";
import { createPersonalAccessToken, DEFAULT_TOKEN_EXPIRY_DAYS } from "./access-tokens";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";
import { cliClientName } from "../lib/cli-clients";

/**
 * Signing a CLI in through the browser: HashiCorp's login.v1 protocol, which is an OAuth 2.0
 * authorization-code grant (RFC 6749) for a public client with PKCE (RFC 7636) and a loopback
 * redirect (RFC 8252).
 *
 *   terraform login <host>
 *     -> GET /.well-known/terraform.json            (advertises the endpoints and ports below)
 *     -> browser: GET /oauth/authorization?...       (checked here; sign in if needed)
 *     -> browser: /cli/login consent page            (Authorize / Cancel, CSRF-protected)
 *     -> browser redirected to http://localhost:<port>/...?code=...&state=...
 *     -> CLI: POST /oauth/token with code + code_verifier -> a personal access token
 *
 * Why each check: the client id names the only client we serve; the redirect must be a loopback
 * address on an advertised port, so a code can only ever be delivered to the user's own machine;
 * S256 PKCE binds the code to the CLI that started the flow, so a code seen by anyone else (browser
 * history, another local process) is useless; codes are random 256-bit values stored as SHA-256,
 * live ten minutes and are deleted on first use.
 */

/** The one client this server accepts, as advertised in terraform.json. */
export const CLI_CLIENT_ID = "terraform-cli";
/** The loopback port range advertised in terraform.json (inclusive). */
export const CLI_PORTS: readonly [number, number] = [10000, 10010];
/** How long an authorization code can be redeemed. */
export const CODE_TTL_MINUTES = 10;

/** A checked authorization request, as the consent page carries it along. */
export interface CliAuthorizationRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string | undefined;
}

/**
 * The outcome of checking an authorization request. `redirect: false` errors must not send the
 * browser anywhere (the redirect URI itself is not trusted); the others go back to the CLI with an
 * OAuth error code.
 */
export type CheckedAuthorization =
  | { ok: true; request: CliAuthorizationRequest }
  | { ok: false; redirect: false; message: string }
  | { ok: false; redirect: true; redirectUri: string; state: string | undefined; error: string; description: string };

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** A PKCE code verifier (RFC 7636 §4.1): 43 to 128 unreserved characters. */
export const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** A single string parameter, or undefined for missing and repeated ones. */
function one(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** True when `uri` is http://localhost:<port>/... or http://127.0.0.1:<port>/... with an advertised port. */
export function isAllowedRedirectUri(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" || url.username || url.password || url.hash) return false;
  if (url.hostname !== "localhost" && url.hostname !== "127.0.0.1") return false;
  // An explicit port is required (URL drops :80, which is outside the range anyway).
  const port = Number(url.port);
  return Number.isInteger(port) && port >= CLI_PORTS[0] && port <= CLI_PORTS[1];
}

/** Checks the query of /oauth/authorization (and the fields the consent form posts back). */
export function checkAuthorizationRequest(params: Record<string, unknown>): CheckedAuthorization {
  const clientId = one(params.client_id);
  const redirectUri = one(params.redirect_uri);
  if (clientId !== CLI_CLIENT_ID) return { ok: false, redirect: false, message: "This sign-in link names an application Gatehouse does not know." };
  if (!redirectUri || redirectUri.length > 500 || !isAllowedRedirectUri(redirectUri)) {
    return {
      ok: false,
      redirect: false,
      message: `This sign-in link would send you to an address other than a command-line tool on your own computer (http://localhost on ports ${CLI_PORTS[0]}–${CLI_PORTS[1]}), so it was stopped.`,
    };
  }
  const state = one(params.state);
  const fail = (error: string, description: string) => ({ ok: false as const, redirect: true as const, redirectUri, state, error, description });
  if (state !== undefined && state.length > 500) return fail("invalid_request", "state is too long");
  if (one(params.response_type) !== "code") return fail("unsupported_response_type", "response_type must be code");
  if (one(params.code_challenge_method) !== "S256") return fail("invalid_request", "PKCE is required: code_challenge_method must be S256");
  const codeChallenge = one(params.code_challenge);
  if (!codeChallenge || !CHALLENGE.test(codeChallenge)) return fail("invalid_request", "code_challenge must be a base64url SHA-256 value");
  return { ok: true, request: { clientId, redirectUri, codeChallenge, state } };
}

/** The loopback URL with OAuth response parameters added (state echoed back when there was one). */
export function redirectWith(redirectUri: string, params: Record<string, string>, state: string | undefined): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  if (state !== undefined) url.searchParams.set("state", state);
  return url.toString();
}

/** What the token name says about where the sign-in came from: the host the browser approved it from. */
function hostLabel(meta: RequestMeta): string {
  return meta.ip ?? "unknown host";
}

/**
 * The user approved: issues a single-use code bound to the client, redirect URI and PKCE challenge,
 * logs the approval and returns the loopback URL to send the browser to.
 */
export async function approveCliLogin(user: UserRow, request: CliAuthorizationRequest, meta: RequestMeta): Promise<string> {
  const code = randomToken();
  await db.transaction(async (trx) => {
    await deleteExpiredAuthorizationCodes(trx);
    await insertAuthorizationCode(
      {
        code_hash: hashToken(code),
        user_id: user.id,
        client_id: request.clientId,
        redirect_uri: request.redirectUri,
        code_challenge: request.codeChallenge,
        requesting_host: hostLabel(meta),
        expires_at: new Date(Date.now() + CODE_TTL_MINUTES * 60_000),
      },
      trx,
    );
    await recordSecurityEvent(user.id, "cli_login.approved", meta, { client: request.clientId }, trx);
  });
  return redirectWith(request.redirectUri, { code }, request.state);
}

/** A token request whose parameters have their form (checked by the token route's schema). */
export interface TokenRequest {
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

/**
 * Redeems a code for a personal access token named after the CLI and the host it was approved
 * from, or says why the grant is refused (RFC 6749 §5.2's `invalid_grant`, with its description).
 * The code is deleted before anything else is compared, so a wrong verifier or redirect burns it:
 * a code can be tried once, by whoever holds it, and never again.
 */
export async function redeemAuthorizationCode(
  ctx: AppContext,
  params: TokenRequest,
  meta: RequestMeta,
): Promise<{ ok: true; accessToken: string } | { ok: false; invalidGrant: string }> {
  const bad = (invalidGrant: string) => ({ ok: false as const, invalidGrant });
  const { code, redirectUri, codeVerifier: verifier } = params;
  const row = await consumeAuthorizationCode(hashToken(code));
  if (!row) return bad("the code is unknown, expired or already used");
  const challenge = crypto.createHash("sha256").update(verifier, "ascii").digest("base64url");
  if (row.client_id !== CLI_CLIENT_ID || row.redirect_uri !== redirectUri || !safeEqual(challenge, row.code_challenge)) {
    return bad("the code does not match this client, redirect_uri or code_verifier");
  }
  const user = await findUserById(row.user_id);
  if (!user || !user.email_confirmed_at) return bad("the account can no longer sign in");
  const host = row.requesting_host ?? "unknown host";
  const { token } = await createPersonalAccessToken(
    ctx,
    user,
    { description: `${cliClientName(row.client_id)} on ${host}`.slice(0, 100), expiresInDays: DEFAULT_TOKEN_EXPIRY_DAYS, via: "cli", cli: { client: row.client_id, host } },
    meta,
  );
  return { ok: true, accessToken: token };
}
