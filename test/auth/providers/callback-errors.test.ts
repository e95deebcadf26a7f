import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as oauth2 from "passport-oauth2";
import { callbackFailureStatus } from "../../../src/auth/providers/callback-errors";

// The error classes passport-oauth2 really throws (its type declarations here list only what src/ uses).
type OAuthErrorClass = new (message: string, code: string) => Error;
const { AuthorizationError, TokenError } = oauth2 as unknown as { AuthorizationError: OAuthErrorClass; TokenError: OAuthErrorClass };
const { InternalOAuthError } = oauth2;

describe("provider callback failures", () => {
  it("blames the browser for bad codes and odd answers, the provider for outages and refusals of our credentials", () => {
    const table: [unknown, number][] = [
      [new TokenError("used", "invalid_grant"), 400],
      [new TokenError("bad", "bad_verification_code"), 400],
      [new TokenError("secret", "invalid_client"), 502],
      [new TokenError("redirect", "redirect_uri_mismatch"), 502],
      [new AuthorizationError("made up", "invalid_request"), 400],
      [new AuthorizationError("down", "server_error"), 502],
      [new AuthorizationError("busy", "temporarily_unavailable"), 503],
      [new InternalOAuthError("Failed to obtain access token", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })), 502],
      [new InternalOAuthError("Failed to fetch user profile", { statusCode: 503, data: "down" }), 502],
      [new Error("GitHub returned a profile without a user id"), 502],
    ];
    for (const [err, status] of table) assert.equal(callbackFailureStatus(err), status, String(err));
  });
});
