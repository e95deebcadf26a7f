import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../src/config";

describe("configuration: site admins and instance settings", () => {
  it("sets nothing by default, so every instance setting is editable", () => {
    const config = loadConfig({});
    assert.deepEqual(config.adminUsernames, []);
    assert.deepEqual(config.instanceSettingsFromEnv, {});
  });

  it("reads ADMIN_USERNAMES and the instance settings the environment locks", () => {
    const config = loadConfig({
      ADMIN_USERNAMES: " ada, grace ,",
      SIGNUP_MODE: "invite_only",
      SIGNUP_EMAIL_DOMAINS: "Corp.example, lab.example",
      SIGN_IN_PROVIDERS: "github, google",
      PASSWORD_MIN_LENGTH: "16",
      REQUIRE_TWO_FACTOR: "1",
      SESSION_IDLE_MINUTES: "15",
      SESSION_MAX_HOURS: "8",
      SESSION_REMEMBER_DAYS: "7",
    });
    assert.deepEqual(config.adminUsernames, ["ada", "grace"]);
    assert.deepEqual(config.instanceSettingsFromEnv, {
      signupMode: "invite_only",
      signupEmailDomains: ["corp.example", "lab.example"],
      hiddenProviders: ["gitlab", "atlassian"],
      passwordMinLength: 16,
      requireTwoFactor: true,
      sessionIdleMinutes: 15,
      sessionMaxHours: 8,
      rememberedSessionDays: 7,
    });
    assert.deepEqual(loadConfig({ SIGN_IN_PROVIDERS: "none" }).instanceSettingsFromEnv.hiddenProviders, ["github", "gitlab", "atlassian", "google"]);
  });

  it("names each bad variable", () => {
    try {
      loadConfig({ SIGNUP_MODE: "sometimes", SIGN_IN_PROVIDERS: "bitbucket", SESSION_IDLE_MINUTES: "1", ADMIN_USERNAMES: "a;b" });
      assert.fail("did not throw");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      for (const name of ["SIGNUP_MODE", "SIGN_IN_PROVIDERS", "SESSION_IDLE_MINUTES", "ADMIN_USERNAMES"]) assert.match(err.message, new RegExp(name));
    }
  });
});
