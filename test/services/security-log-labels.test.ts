import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeSecurityEvent } from "../../src/services/security-log-labels";

describe("security log entries in words", () => {
  it("says how a sign-in was made, second factor included, never the stored method name", () => {
    const titles = ["password", "password+totp", "password+recovery_code", "passkey", "sso", "sso+totp", "github+passkey"]
      .map((method) => describeSecurityEvent({ action: "sign_in", details: { method } }).title);
    assert.deepEqual(titles, [
      "Signed in with your password",
      "Signed in with your password and an authenticator code",
      "Signed in with your password and a recovery code",
      "Signed in with a passkey",
      "Signed in with single sign-on",
      "Signed in with single sign-on and an authenticator code",
      "Signed in with GitHub and a passkey",
    ]);
  });
});
