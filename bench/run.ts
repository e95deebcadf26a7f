import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import pg from "pg";
import { hashPassword } from "../src/auth/passwords";
import { BenchChild } from "./child";
import { startBenchDatabase } from "./database";
import { compileAppServer } from "./compiled-app-server";
import { measureAppScenarios, measureBaselines, measureHealthz, withApp, type AppFigures } from "./phases";
import { formatTable } from "./report";
import { buildResults } from "./results";
import type { LoadChildren } from "./scenarios";
import { BENCH_PASSWORD, seedBenchIdentities } from "./seed-identities";
import { FULL_SCALE, seedScale } from "./seed-scale";
import { readBenchSettings } from "./settings";

/**
 * `npm run bench`: a load benchmark whose figures are ratios to baselines measured in the same run
 * on the same machine, so they compare across machines. Every server, the load generator and the
 * argon2 meter run in processes of their own; all traffic stays on 127.0.0.1.
 *
 *   baselines  a bare Express 5 + EJS page as large as the settings page; raw argon2id
 *              verifications at the app's parameters, 1, 2 and 4 in parallel; /healthz at rest
 *   scenarios  the signed-in settings page over 1,000 sessions; the bearer API over 1,000 tokens;
 *              password sign-ins with fresh pre-sessions; /healthz while sign-ins saturate argon2
 *   scale      the first three again after growing the data to 1M users, 5M sessions, 1M tokens
 *
 * Each is warmed up, then measured BENCH_ROUNDS times for BENCH_SECONDS; the median is reported.
 */
const log = (line: string) => console.log(line);

async function main() {
  const settings = readBenchSettings();
  log(`bench: ${settings.rounds} rounds of ${settings.seconds} s after ${settings.warmupSeconds} s of warm-up, ${settings.connections} connections, scale ${settings.scale}`);
  // The app runs from dist/, as in production; building first measures the code as it is now.
  log("building dist/ (npm run build) and the app server's bench wrapper");
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit", cwd: path.resolve(__dirname, "..") });
  compileAppServer();
  const database = await startBenchDatabase();
  const client = new pg.Client({ connectionString: database.url });
  const started: BenchChild[] = [];
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await Promise.all(started.map((c) => c.stop()));
      await client.end().catch(() => {});
      await database.stop();
    })());
  // Ctrl-C still removes the temporary database (gigabytes at full scale).
  process.once("SIGINT", () => void cleanUp().finally(() => process.exit(130)));
  try {
    await client.connect();
    const secret = crypto.randomBytes(32).toString("base64url");
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const identities = await seedBenchIdentities(client, settings.identities, passwordHash, secret);
    const loads: LoadChildren = { main: await BenchChild.start("load.ts", {}), probe: await BenchChild.start("load.ts", {}) };
    started.push(loads.main, loads.probe);

    const small = await withApp(database.url, secret, identities, async (app, pageBytes) => {
      const baselines = await measureBaselines(settings, loads, pageBytes, identities);
      log(`app on small data (${settings.identities} users, sessions and tokens)`);
      return { baselines, pageBytes, figures: await measureAppScenarios(settings, loads, app, identities), healthz: await measureHealthz(settings, loads, app, identities) };
    });

    let scaled: AppFigures | undefined;
    if (settings.scale > 0) {
      const targets = {
        users: Math.round(FULL_SCALE.users * settings.scale),
        sessions: Math.round(FULL_SCALE.sessions * settings.scale),
        tokens: Math.round(FULL_SCALE.tokens * settings.scale),
      };
      log(`seeding ${targets.users.toLocaleString("en-US")} users, ${targets.sessions.toLocaleString("en-US")} sessions, ${targets.tokens.toLocaleString("en-US")} tokens`);
      await seedScale(client, targets, passwordHash, log);
      log("app at scale (a fresh process)");
      scaled = await withApp(database.url, secret, identities, (app) => measureAppScenarios(settings, loads, app, identities));
    }

    const results = buildResults(settings, { baselines: small.baselines, pageBytes: small.pageBytes, small: small.figures, healthz: small.healthz, scaled });
    log("");
    log(formatTable(results.rows));
    log(results.peakLine);
    log("SQL/op: statements the app sent to PostgreSQL per successful request (per sign-in: its GET and POST), counted at pg's Client#query.");
    log("CPU ms/op: the app process's CPU time (user and system, every thread, argon2 included) per successful request or sign-in; it moves less with a busy machine than the rates do.");
    log("");
    log(results.summary);
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
