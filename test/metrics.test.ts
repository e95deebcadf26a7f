import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { ACCESS_TOKEN_PREFIXES, generateAccessToken } from "../src/auth/access-token-format";
import { db } from "../src/db/knex";
import { createLogger } from "../src/lib/logger";
import { startMetricsServer } from "../src/metrics/server";
import { authenticateWithPassword } from "../src/services/password-sign-in";
import { useTestApp } from "./helpers/app";
import { TestClient } from "./helpers/client";
import { adminQuery } from "./helpers/db";
import { buildUser, loginAs } from "./helpers/factories";
import { freePort } from "./helpers/free-port";

const ROOT = path.resolve(__dirname, "..");

/** The value of one sample of a scrape, 0 when the series is absent (a counter not yet counted). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

describe("GET /metrics", () => {
  // METRICS_PORT turns request timing on in the app under test; the test serves the (process-wide)
  // registry itself on a free port, as src/server.ts does on METRICS_PORT.
  const t = useTestApp({ METRICS_PORT: "9", RATE_LIMIT_LOGIN_PER_IP: "3" });
  let metricsUrl = "";
  let closeMetrics: () => Promise<void> = async () => {};

  before(async () => {
    const metrics = await startMetricsServer({ port: 0, host: "127.0.0.1" }, createLogger("silent"));
    metricsUrl = `http://127.0.0.1:${metrics.port}/metrics`;
    closeMetrics = metrics.close;
  });
  after(() => closeMetrics());

  const scrape = async () => {
    const res = await fetch(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it("counts a sign-in, a failed sign-in and a rate-limit refusal, and the requests by route pattern and status", async () => {
    const user = await buildUser();
    const before = await scrape();
    const requests = (text: string, method: string, status: string) => sample(text, "gatehouse_http_request_duration_seconds_count", { method, route: "/login", status });

    await loginAs(t.baseUrl, user);
    const stranger = new TestClient(t.baseUrl);
    assert.equal((await stranger.submit("/login", { login: user.username, password: "not the password" })).status, 422);
    // The third attempt from this IP was the last one allowed (RATE_LIMIT_LOGIN_PER_IP=3).
    assert.equal((await stranger.submit("/login", { login: user.username, password: "not the password either" })).status, 422);
    assert.equal((await stranger.submit("/login", { login: user.username, password: user.password })).status, 429);

    const now = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(now, name, labels) - sample(before, name, labels);
    assert.equal(delta("gatehouse_sign_ins_total", { method: "password", result: "success" }), 1);
    assert.equal(delta("gatehouse_sign_ins_total", { method: "password", result: "failure" }), 2);
    assert.equal(delta("gatehouse_rate_limit_refusals_total", { limit: "login-ip" }), 1);
    assert.equal(requests(now, "POST", "302") - requests(before, "POST", "302"), 1);
    assert.equal(requests(now, "POST", "422") - requests(before, "POST", "422"), 2);
    assert.equal(requests(now, "POST", "429") - requests(before, "POST", "429"), 1);
    assert.equal(requests(now, "GET", "200") - requests(before, "GET", "200"), 4, "the four sign-in forms loaded");
    // Every observation lands in a bucket of the histogram, up to +Inf.
    assert.equal(
      sample(now, "gatehouse_http_request_duration_seconds_bucket", { method: "POST", route: "/login", status: "422", le: "+Inf" }),
      requests(now, "POST", "422"),
    );
  });

  it("counts a locked account's refusal, which answers like a wrong password", async () => {
    const user = await buildUser();
    const before = await scrape();
    // RATE_LIMIT_LOGIN_PER_ACCOUNT is 10 guesses. They are made through the sign-in service, since
    // this file's per-IP limit (3) would stop the form first, and typed half as the username, half as
    // the email address, so that neither text's own budget of 10 runs out before the account's.
    for (let i = 0; i < 10; i++) assert.equal(await authenticateWithPassword(t.ctx, i % 2 ? user.username : user.email, `wrong ${i}`), undefined);
    assert.equal(await authenticateWithPassword(t.ctx, user.username, user.password), undefined, "locked: even the right password is refused");
    const now = await scrape();
    assert.equal(sample(now, "gatehouse_rate_limit_refusals_total", { limit: "login-account" }) - sample(before, "gatehouse_rate_limit_refusals_total", { limit: "login-account" }), 1);
    assert.equal(sample(now, "gatehouse_sign_ins_total", { method: "password", result: "failure" }) - sample(before, "gatehouse_sign_ins_total", { method: "password", result: "failure" }), 11);
  });

  it("labels requests by route pattern, never by the path a visitor typed", async () => {
    const token = generateAccessToken(ACCESS_TOKEN_PREFIXES.personal).token;
    assert.equal((await fetch(`${t.baseUrl}/api/v1/orgs/secret-org-name-4711`, { headers: { Authorization: `Bearer ${token}` } })).status, 401);
    assert.equal((await fetch(`${t.baseUrl}/no/such/page-4711`)).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/api/v1/nothing-here-4711`, { headers: { Authorization: `Bearer ${token}` } })).status, 404);
    const text = await scrape();
    assert.ok(sample(text, "gatehouse_http_request_duration_seconds_count", { method: "GET", route: "/api/v1/orgs/:org", status: "401" }) >= 1);
    assert.ok(sample(text, "gatehouse_http_request_duration_seconds_count", { method: "GET", route: "unmatched", status: "404" }) >= 1);
    assert.ok(sample(text, "gatehouse_http_request_duration_seconds_count", { method: "GET", route: "/api", status: "404" }) >= 1);
    assert.doesNotMatch(text, /4711/);
  });

  it("reads the mail queue's depth, age and failures, and the pool, when scraped", async () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    const tomorrow = new Date(Date.now() + 86_400_000);
    // Not due until tomorrow, so the app's mail worker leaves them alone during the test.
    await db("outbound_mails").insert([
      { to: "a@example.test", subject: "retrying", attempts: 3, last_error: "421 try later", next_attempt_at: tomorrow, created_at: hourAgo },
      { to: "b@example.test", subject: "waiting", attempts: 0, next_attempt_at: tomorrow },
      { to: "c@example.test", subject: "sent", attempts: 1, sent_at: new Date(), created_at: hourAgo },
    ]);
    const text = await scrape();
    assert.equal(sample(text, "gatehouse_metrics_database_up"), 1);
    assert.equal(sample(text, "gatehouse_mail_queue_depth"), 2);
    assert.equal(sample(text, "gatehouse_mail_queue_failing"), 1);
    assert.equal(sample(text, "gatehouse_mail_delivery_failed_attempts"), 3);
    const oldest = sample(text, "gatehouse_mail_queue_oldest_age_seconds");
    assert.ok(oldest >= 3600 && oldest < 2 * 3600, `oldest unsent mail is about an hour old, got ${oldest}`);
    for (const state of ["used", "free", "pending_acquire", "pending_create"]) assert.match(text, new RegExp(`gatehouse_db_pool_connections\\{state="${state}"\\} \\d+`));
    assert.match(text, /^process_cpu_seconds_total /m, "process metrics are there too");
  });
});

describe("the metrics port of the real server", () => {
  const database = `gatehouse_test_metrics_${crypto.randomBytes(4).toString("hex")}`;
  let child: ChildProcess | undefined;
  let port = 0;
  let metricsPort = 0;

  before(async () => {
    await adminQuery(`CREATE DATABASE ${database} TEMPLATE ${process.env.GATEHOUSE_TEST_TEMPLATE}`);
    const url = new URL(process.env.GATEHOUSE_TEST_ADMIN_URL ?? "postgres://unset");
    url.pathname = `/${database}`;
    port = await freePort();
    metricsPort = await freePort();
    child = spawn(process.execPath, ["--require", "tsx/cjs", "src/server.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH, NODE_ENV: "development", TSX_DISABLE_CACHE: "1", PORT: String(port), METRICS_PORT: String(metricsPort), DATABASE_URL: url.toString(), SESSION_SECRET: crypto.randomBytes(32).toString("base64url"), LOG_LEVEL: "info" },
    });
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on("data", (chunk: Buffer) => {
        output.push(chunk.toString());
        if (output.join("").includes("metrics at /metrics")) resolve();
      });
      child!.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      child!.once("exit", (code) => reject(new Error(`the server exited (${code}):\n${output.join("")}`)));
    });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it("serves /metrics on METRICS_PORT only, never on the public port", async () => {
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(sample(text, "gatehouse_http_request_duration_seconds_count", { method: "GET", route: "/healthz", status: "200" }) >= 1);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/`)).status, 404);
  });
});
