import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../src/config";

const SECRET = "s".repeat(40);
const PRODUCTION = { NODE_ENV: "production", SESSION_SECRET: SECRET, BASE_URL: "https://accounts.example.test", DATABASE_URL: "postgres://db.example.test/gatehouse", SMTP_URL: "smtp://mail.example.test:25" };

/** The ConfigError that loading `env` throws. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe("configuration", () => {
  it("has working defaults for development", () => {
    const config = loadConfig({});
    assert.equal(config.env, "development");
    assert.equal(config.isProduction, false);
    assert.equal(config.port, 3000);
    assert.equal(config.baseUrl, "http://localhost:3000");
    assert.equal(config.secureCookies, false);
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.mailFrom, "Gatehouse <no-reply@localhost>");
    assert.equal(config.passwordMinLength, 12);
    assert.deepEqual(config.providers, {});
  });

  it("derives BASE_URL from PORT, strips a trailing slash, and makes cookies Secure for https", () => {
    assert.equal(loadConfig({ PORT: "3101" }).baseUrl, "http://localhost:3101");
    const https = loadConfig({ BASE_URL: "https://accounts.example.test/" });
    assert.equal(https.baseUrl, "https://accounts.example.test");
    assert.equal(https.secureCookies, true);
  });

  it("treats an empty value as unset", () => {
    const config = loadConfig({ SMTP_URL: "", PORT: "", GITHUB_CLIENT_ID: "", GITHUB_CLIENT_SECRET: "" });
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.port, 3000);
    assert.equal(config.providers.github, undefined);
  });

  it("names a bad PORT", () => {
    for (const port of ["abc", "70000", "-1", "3.5"]) {
      const err = configError({ PORT: port });
      assert.ok(err.problems.some((p) => p.startsWith("PORT")), `${port}: ${err.problems.join("; ")}`);
      assert.match(err.message, /PORT/);
    }
  });

  it("names the missing half of a half-configured provider", () => {
    const noSecret = configError({ GITHUB_CLIENT_ID: "abc" });
    assert.ok(noSecret.problems.some((p) => p.startsWith("GITHUB_CLIENT_SECRET")), noSecret.problems.join("; "));
    assert.match(noSecret.message, /GITHUB_CLIENT_SECRET is missing/);
    const noId = configError({ GITLAB_CLIENT_SECRET: "abc" });
    assert.ok(noId.problems.some((p) => p.startsWith("GITLAB_CLIENT_ID")), noId.problems.join("; "));
  });

  it("enables a fully configured provider with its URL overrides", () => {
    const config = loadConfig({ GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret", GITHUB_URL: "https://github.example.test/", GITHUB_API_URL: "https://github.example.test/api/v3" });
    assert.deepEqual(config.providers.github, {
      clientId: "id", clientSecret: "secret",
      urls: { GITHUB_URL: "https://github.example.test", GITHUB_API_URL: "https://github.example.test/api/v3" },
    });
    const bad = configError({ GOOGLE_CLIENT_ID: "id", GOOGLE_CLIENT_SECRET: "secret", GOOGLE_URL: "not a url" });
    assert.ok(bad.problems.some((p) => p.startsWith("GOOGLE_URL")));
  });

  it("reads Bitbucket's OAuth consumer as a backing-only provider, never a sign-in one, with the same half-configured check", () => {
    const config = loadConfig({ BITBUCKET_CLIENT_ID: "key", BITBUCKET_CLIENT_SECRET: "secret", BITBUCKET_URL: "https://bitbucket.example.test/", BITBUCKET_API_URL: "https://api.bitbucket.example.test" });
    assert.deepEqual(config.backingProviders.bitbucket, { clientId: "key", clientSecret: "secret", urls: { BITBUCKET_URL: "https://bitbucket.example.test", BITBUCKET_API_URL: "https://api.bitbucket.example.test" } });
    assert.equal(Object.keys(config.providers).length, 0);
    assert.match(configError({ BITBUCKET_CLIENT_ID: "key" }).message, /BITBUCKET_CLIENT_SECRET is missing/);
    assert.ok(configError({ BITBUCKET_CLIENT_ID: "key", BITBUCKET_CLIENT_SECRET: "s", BITBUCKET_API_URL: "nope" }).problems.some((p) => p.startsWith("BITBUCKET_API_URL")));
  });

  it("refuses to start in production without SESSION_SECRET (and the other required settings)", () => {
    const { SESSION_SECRET: _omit, ...noSecret } = PRODUCTION;
    const err = configError(noSecret);
    assert.ok(err.problems.includes("SESSION_SECRET: required in production"), err.problems.join("; "));
    assert.match(err.message, /SESSION_SECRET/);
    const bare = configError({ NODE_ENV: "production" });
    for (const name of ["SESSION_SECRET", "BASE_URL", "DATABASE_URL", "SMTP_URL"]) {
      assert.ok(bare.problems.some((p) => p.startsWith(name)), `${name} in ${bare.problems.join("; ")}`);
    }
    assert.ok(configError({ ...PRODUCTION, DEV_PROVIDER_EMULATORS: "1" }).problems.includes("DEV_PROVIDER_EMULATORS: not allowed in production"));
    const config = loadConfig(PRODUCTION);
    assert.equal(config.isProduction, true);
    assert.equal(config.sessionSecret, SECRET);
  });

  it("refuses a short SESSION_SECRET and malformed URLs, naming each", () => {
    const err = configError({ SESSION_SECRET: "short", SMTP_URL: "http://mail.example.test", DATABASE_URL: "mysql://x", BASE_URL: "ftp://x" });
    for (const name of ["SESSION_SECRET", "SMTP_URL", "DATABASE_URL", "BASE_URL"]) {
      assert.ok(err.problems.some((p) => p.startsWith(name)), `${name} in ${err.problems.join("; ")}`);
    }
  });

  it("lists every bad variable at once", () => {
    const err = configError({ PORT: "abc", LOG_LEVEL: "loud", GITHUB_CLIENT_ID: "abc", RATE_LIMIT_LOGIN_PER_IP: "0" });
    for (const name of ["PORT", "LOG_LEVEL", "GITHUB_CLIENT_SECRET", "RATE_LIMIT_LOGIN_PER_IP"]) {
      assert.ok(err.problems.some((p) => p.startsWith(name)), `${name} in ${err.problems.join("; ")}`);
    }
  });

  it("reads rate limits and the minimum password length from the environment", () => {
    const config = loadConfig({ RATE_LIMIT_LOGIN_PER_IP: "5", RATE_LIMIT_WINDOW_MINUTES: "2", PASSWORD_MIN_LENGTH: "16" });
    assert.equal(config.rateLimits.loginPerIp, 5);
    assert.equal(config.rateLimits.windowSeconds, 120);
    assert.equal(config.passwordMinLength, 16);
    assert.ok(configError({ PASSWORD_MIN_LENGTH: "4" }).problems.some((p) => p.startsWith("PASSWORD_MIN_LENGTH")));
  });

  it("reads the invitation and organization limits, with daily defaults", () => {
    const defaults = loadConfig({}).rateLimits;
    assert.deepEqual(
      [defaults.invitationsPerOrg, defaults.invitationsPerInviter, defaults.invitationsPerRecipient, defaults.orgsPerAccount],
      [30, 100, 5, 10],
    );
    const set = loadConfig({ RATE_LIMIT_INVITATIONS_PER_INVITER: "7", RATE_LIMIT_INVITATIONS_PER_RECIPIENT: "2", RATE_LIMIT_ORGS_PER_ACCOUNT: "1", RATE_LIMIT_INVITATIONS_PER_ORG: "9" }).rateLimits;
    assert.deepEqual([set.invitationsPerOrg, set.invitationsPerInviter, set.invitationsPerRecipient, set.orgsPerAccount], [9, 7, 2, 1]);
    const err = configError({ RATE_LIMIT_INVITATIONS_PER_RECIPIENT: "0", RATE_LIMIT_ORGS_PER_ACCOUNT: "many" });
    for (const name of ["RATE_LIMIT_INVITATIONS_PER_RECIPIENT", "RATE_LIMIT_ORGS_PER_ACCOUNT"]) {
      assert.ok(err.problems.some((p) => p.startsWith(name)), `${name} in ${err.problems.join("; ")}`);
    }
  });

  it("listens on 127.0.0.1 in development and on all interfaces in production, unless HOST says otherwise", () => {
    assert.equal(loadConfig({}).host, "127.0.0.1");
    assert.equal(loadConfig({ NODE_ENV: "test" }).host, "127.0.0.1");
    assert.equal(loadConfig(PRODUCTION).host, undefined);
    assert.equal(loadConfig({ HOST: "0.0.0.0" }).host, "0.0.0.0");
    assert.equal(loadConfig({ ...PRODUCTION, HOST: "10.0.0.5" }).host, "10.0.0.5");
    assert.equal(loadConfig({ HOST: "::1" }).host, "::1");
    assert.ok(configError({ HOST: "0.0.0.0; rm -rf" }).problems.some((p) => p.startsWith("HOST")));
  });

  it("reads the DNS servers for domain verification as IP addresses with optional ports; default: the system resolver", () => {
    assert.deepEqual(loadConfig({}).dns, { servers: [], timeoutMs: 5000 });
    assert.deepEqual(loadConfig({ DNS_SERVERS: "10.0.0.2:5353, [fd00::53]:53,::1", DNS_TIMEOUT_SECONDS: "2" }).dns, { servers: ["10.0.0.2:5353", "[fd00::53]:53", "::1"], timeoutMs: 2000 });
    for (const bad of ["dns.example.test:53", "10.0.0.2:70000", "10.0.0.2,", "10.0.0.2:"]) {
      assert.match(configError({ DNS_SERVERS: bad }).problems.join("\n"), /DNS_SERVERS: must be a comma-separated list of IP addresses/, bad);
    }
    assert.match(configError({ DNS_TIMEOUT_SECONDS: "0" }).problems.join("\n"), /DNS_TIMEOUT_SECONDS/);
  });

  it("reads TRUST_PROXY as a hop count or a list", () => {
    assert.equal(loadConfig({ TRUST_PROXY: "1" }).trustProxy, 1);
    assert.equal(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy, "loopback, 10.0.0.0/8");
    assert.equal(loadConfig({}).trustProxy, undefined);
  });
});
