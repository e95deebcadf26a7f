/**
 * Whose fault a failed provider callback is, as an HTTP status. The browser's (4xx): the code it
 * brought back was used, expired, made for another flow or invented (`invalid_grant`, GitHub's
 * `bad_verification_code`), or the provider's answer in the URL was an error we cannot act on. The
 * provider's (5xx): it could not be reached, answered with something other than OAuth, failed
 * (`server_error`, 502) or said it is busy (`temporarily_unavailable`, 503), or refused our own
 * credentials (`invalid_client`: the operator's setup, not the browser, so a retry will not help).
 *
 * The distinction matters to operators: a 5xx on this route is a page for them (provider outage,
 * broken client secret), and an attacker replaying old codes must not be able to fill that signal.
 */

/** The OAuth error codes by which the token endpoint says the code from the browser is no good. */
const BAD_CODE = new Set(["invalid_grant", "bad_verification_code"]);

/** The status for a callback whose Passport strategy failed with `err` (see the module comment). */
export function callbackFailureStatus(err: unknown): 400 | 502 | 503 {
  const e = err as { name?: string; code?: unknown };
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (e?.name === "TokenError") return code && BAD_CODE.has(code) ? 400 : 502;
  if (e?.name === "AuthorizationError") {
    if (code === "temporarily_unavailable") return 503;
    return code === "server_error" ? 502 : 400;
  }
  return 502;
}
