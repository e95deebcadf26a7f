import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../src/config";

const PRODUCTION = { NODE_ENV: "production", SESSION_SECRET: "s".repeat(40), BASE_URL: "https://accounts.example.test", DATABASE_URL: "postgres://db.example.test/gatehouse", SMTP_URL: "smtp://mail.example.test:25" };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

describe("configuration of metrics and shutdown", () => {
  it("keeps metrics off unless METRICS_PORT is set, and listens where the app would by default", () => {
    assert.equal(loadConfig({}).metrics, undefined);
    assert.deepEqual(loadConfig({ METRICS_PORT: "9464" }).metrics, { port: 9464, host: "127.0.0.1" });
    assert.deepEqual(loadConfig({ ...PRODUCTION, METRICS_PORT: "9464" }).metrics, { port: 9464, host: undefined });
    assert.deepEqual(loadConfig({ ...PRODUCTION, HOST: "10.0.0.5", METRICS_PORT: "9464", METRICS_HOST: "10.1.0.5" }).metrics, { port: 9464, host: "10.1.0.5" });
  });

  it("refuses a metrics port equal to the app's, a METRICS_HOST without a port, and a bad port", () => {
    assert.deepEqual(problems({ PORT: "3000", METRICS_PORT: "3000" }), ["METRICS_PORT: must differ from PORT"]);
    assert.deepEqual(problems({ METRICS_HOST: "0.0.0.0" }), ["METRICS_HOST: set METRICS_PORT too (metrics are off without it)"]);
    assert.match(problems({ METRICS_PORT: "99999" }).join(), /^METRICS_PORT: /);
  });

  it("waits 10 seconds for requests in flight at shutdown unless SHUTDOWN_GRACE_SECONDS says otherwise", () => {
    assert.equal(loadConfig({}).shutdownGraceMs, 10_000);
    assert.equal(loadConfig({ SHUTDOWN_GRACE_SECONDS: "25" }).shutdownGraceMs, 25_000);
    assert.match(problems({ SHUTDOWN_GRACE_SECONDS: "0" }).join(), /^SHUTDOWN_GRACE_SECONDS: /);
  });
});
