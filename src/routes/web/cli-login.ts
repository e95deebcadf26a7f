import type { Request, Response } from "express";
import { z } from "zod";
import { allowFormActionTo } from "../../http/form-action-csp";
import { cliClientName } from "../../lib/cli-clients";
import { deviceLabel } from "../../lib/user-agent";
import { DEFAULT_TOKEN_EXPIRY_DAYS } from "../../services/access-tokens";
import { approveCliLogin, checkAuthorizationRequest, redirectWith, type CheckedAuthorization } from "../../services/cli-login";
import { requestMeta } from "../../http/request-meta";
import type { Valid } from "../../http/validate";
import { recordSecurityEvent } from "../../services/security-log";

/** One text field; a repeated one arrives as a list and is read as missing. */
const oneField = z.string().optional().catch(undefined);

/**
 * POST /cli/login: the authorization request the consent form carries along, checked as the
 * authorization endpoint checks it, and the user's answer. It never fails: a request that does not
 * pass is refused the OAuth way (a 400 page, or back to the CLI with an error), not as a form.
 */
export const CliConsentForm = z
  .object({
    client_id: oneField, redirect_uri: oneField, response_type: oneField, code_challenge: oneField, code_challenge_method: oneField, state: oneField,
    decision: oneField,
  })
  .transform(({ decision, ...request }) => ({ checked: checkAuthorizationRequest(request), authorize: decision === "authorize" }));

/**
 * Answers a request that failed its checks: a bad client or redirect URI gets a 400 page and no
 * redirect (we must not send the browser to an address we do not trust); other problems go back to
 * the CLI with an OAuth error, as RFC 6749 §4.1.2.1 says.
 */
function refuse(res: Response, checked: Extract<CheckedAuthorization, { ok: false }>) {
  if (!checked.redirect) {
    return res.status(400).render("errors/error", { title: "Sign-in link not valid", status: 400, message: checked.message, requestId: undefined });
  }
  res.redirect(303, redirectWith(checked.redirectUri, { error: checked.error, error_description: checked.description }, checked.state));
}

/**
 * GET /oauth/authorization — the login.v1 authorization endpoint. Checks the request before anything
 * else, then hands over to the consent page (which sends signed-out visitors through /login and
 * back).
 */
export function startCliAuthorization(req: Request, res: Response) {
  const checked = checkAuthorizationRequest(req.query);
  if (!checked.ok) return refuse(res, checked);
  const query = new URLSearchParams();
  for (const key of ["client_id", "redirect_uri", "response_type", "code_challenge", "code_challenge_method", "state"]) {
    const value = req.query[key];
    if (typeof value === "string") query.set(key, value);
  }
  res.redirect(`/cli/login?${query.toString()}`);
}

/** GET /cli/login — asks the signed-in user to approve the CLI sign-in. */
export function showCliLogin(req: Request, res: Response) {
  const checked = checkAuthorizationRequest(req.query);
  if (!checked.ok) return refuse(res, checked);
  const { request } = checked;
  const meta = requestMeta(req);
  const loopback = new URL(request.redirectUri);
  // This page alone may post (and so be redirected) to the CLI's loopback address.
  allowFormActionTo(res, loopback.origin);
  res.setHeader("Cache-Control", "no-store");
  res.render("cli/login", {
    title: "Authorize a command-line sign-in",
    request,
    clientName: cliClientName(request.clientId),
    host: meta.ip ?? "an unknown address",
    device: deviceLabel(meta.userAgent),
    loopback: loopback.host,
    tokenName: `${cliClientName(request.clientId)} on ${meta.ip ?? "unknown host"}`,
    expiryDays: DEFAULT_TOKEN_EXPIRY_DAYS,
  });
}

/**
 * POST /cli/login — the user's answer (CSRF-checked like every form). Authorize issues a code and
 * sends the browser back to the CLI; Cancel sends it back with access_denied and issues nothing.
 */
export async function submitCliLogin(req: Valid<typeof CliConsentForm>, res: Response) {
  const { checked, authorize } = req.body;
  if (!checked.ok) return refuse(res, checked);
  const { request } = checked;
  const meta = requestMeta(req);
  if (!authorize) {
    await recordSecurityEvent(req.user!.id, "cli_login.denied", meta, { client: request.clientId });
    return res.redirect(303, redirectWith(request.redirectUri, { error: "access_denied", error_description: "The sign-in was cancelled." }, request.state));
  }
  res.redirect(303, await approveCliLogin(req.user!, request, meta));
}
