import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/db/embedded";
import { connectDb, disconnectDb, db } from "../src/db/knex";
import { migrateLatest } from "../src/db/migrate";
import { freePort } from "./helpers/free-port";

/**
 * `npm test`: starts an embedded PostgreSQL when DATABASE_URL is unset, migrates a template database
 * once, then runs every test file with Node's test runner. Each test file clones the template into
 * its own database (test/helpers/db.ts), so files run in parallel without sharing data.
 */
const TEMPLATE = "gatehouse_test_template";

function findTestFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "helpers" ? [] : findTestFiles(full);
    return entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=240000", "--test-reporter=spec", ...files],
      { stdio: "inherit", env },
    );
    child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const filter = process.argv.slice(2);
  let embedded: EmbeddedDatabase | undefined;
  let adminUrl = process.env.DATABASE_URL;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-test-"));
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port: await freePort(), database: "postgres", persistent: false });
    adminUrl = embedded.url;
  }
  try {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
    await admin.end();
    const templateUrl = new URL(adminUrl);
    templateUrl.pathname = `/${TEMPLATE}`;
    connectDb(templateUrl.toString(), 1);
    await migrateLatest(db);
    await disconnectDb();

    const files = findTestFiles(__dirname).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
    const env = { ...process.env, GATEHOUSE_TEST_ADMIN_URL: adminUrl, GATEHOUSE_TEST_TEMPLATE: TEMPLATE, NODE_ENV: "test" };
    return await runTests(files, env);
  } finally {
    if (embedded) await embedded.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// Exit explicitly with the test runner's code: a library's exit handler must not turn failures into 0.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
