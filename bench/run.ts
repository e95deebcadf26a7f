import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createApp } from "../src/app";
import { hashPassword, verifyPassword } from "../src/auth/passwords";
import { loadConfig } from "../src/config";
import { startEmbeddedPostgres } from "../src/db/embedded";
import { connectDb, db, disconnectDb } from "../src/db/knex";
import { migrateLatest } from "../src/db/migrate";
import { insertUser } from "../src/db/users";
import { createLogger } from "../src/lib/logger";
import { hashToken, randomToken } from "../src/lib/tokens";
import { TestClient } from "../test/helpers/client";

/**
 * `npm run bench`: measures hot paths against a baseline measured in the same run on the same
 * machine, so the numbers compare even though machines differ:
 *  - a signed-in page vs /healthz (no database): the cost of session + user loading + rendering,
 *    and the SQL statements the page issues;
 *  - a token check (SHA-256 + indexed lookup) vs an argon2 verification (why tokens never use argon2);
 *  - concurrent sign-ins vs concurrent /healthz requests while argon2 runs (the event loop stays free).
 */
async function timeIt(label: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const ms = (performance.now() - start) / n;
  return { label, n, msPerOp: Number(ms.toFixed(3)) };
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-bench-"));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port: 55999, database: "bench", persistent: false });
  try {
    connectDb(pg.url);
    await migrateLatest(db);
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({ NODE_ENV: "test", PORT: String(port), BASE_URL: baseUrl, LOG_LEVEL: "silent", RATE_LIMIT_LOGIN_PER_IP: "100000" });
    const { app, close } = createApp({ config, logger: createLogger("silent"), sessionSecret: "b".repeat(40), kickMail: () => {} });
    server.on("request", app);

    const password = "correct horse battery staple";
    await insertUser({ username: "bench", email: "bench@example.test", password_hash: await hashPassword(password), email_confirmed_at: new Date() });
    const client = new TestClient(baseUrl);
    await client.submit("/login", { login: "bench", password });

    let statements = 0;
    db.on("query", () => statements++);
    const page = await timeIt("GET /settings/profile (signed in)", 300, () => client.get("/settings/profile"));
    const perPage = statements / (300 + 20);
    const baseline = await timeIt("GET /healthz (baseline, no database)", 300, () => client.get("/healthz"));
    db.removeAllListeners("query");

    const token = randomToken();
    const hash = await hashPassword(token);
    const tokenCheck = await timeIt("token check: SHA-256 + indexed lookup", 300, () => db("user_tokens").where({ token_hash: hashToken(token) }).first());
    const argon = await timeIt("argon2id verify (what a token check must not cost)", 20, () => verifyPassword(hash, token));

    // The event loop stays responsive while argon2 works: /healthz latency during 8 parallel sign-ins.
    const signIns = Array.from({ length: 8 }, () => new TestClient(baseUrl).submit("/login", { login: "bench", password }));
    const during = await timeIt("GET /healthz during 8 concurrent sign-ins", 50, () => client.get("/healthz"));
    await Promise.all(signIns);

    const rows = [page, baseline, tokenCheck, argon, during];
    console.table(rows);
    console.log(`SQL statements per signed-in page through Knex: ${perPage.toFixed(2)} (plus the session store's read and touch)`);
    console.log(`signed-in page / baseline: ${(page.msPerOp / baseline.msPerOp).toFixed(1)}x; argon2 / token check: ${(argon.msPerOp / tokenCheck.msPerOp).toFixed(0)}x; healthz during sign-ins / baseline: ${(during.msPerOp / baseline.msPerOp).toFixed(1)}x`);
    server.closeAllConnections();
    server.close();
    await close();
    await disconnectDb();
  } finally {
    await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
