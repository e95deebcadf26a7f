import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import knex, { type Knex } from "knex";
import { migrationsAreCurrent } from "../src/db/migrate";

import { adminQuery } from "./helpers/db";
import { freePort } from "./helpers/free-port";
import { stopProcess, waitForOutput } from "./helpers/server-process";

const ROOT = path.resolve(__dirname, "..");

/**
 * `npm run build` into a scratch checkout (links to this one's sources, views and node_modules), then
 * the built server in production mode on an empty database: it must boot with plain node, run the
 * compiled migrations, find views/ and public/ at the checkout's root, and record the migrations
 * under the same names as the TypeScript ones, so a database migrated by either agrees with the other.
 */
describe("the built server", () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-build-"));
  const database = `gatehouse_test_build_${crypto.randomBytes(4).toString("hex")}`;
  const databaseUrl = new URL(process.env.GATEHOUSE_TEST_ADMIN_URL ?? "postgres://unset");
  databaseUrl.pathname = `/${database}`;
  let child: ChildProcess | undefined;
  let baseUrl = "";
  const output: string[] = [];

  before(async () => {
    for (const name of ["package.json", "tsconfig.json", "tsconfig.build.json", "tsconfig.build-migrations.json", "src", "migrations", "views", "public", "node_modules"]) {
      fs.symlinkSync(path.join(ROOT, name), path.join(scratch, name));
    }
    await promisify(execFile)("npm", ["run", "--silent", "build"], { cwd: scratch });
    await adminQuery(`CREATE DATABASE ${database}`);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.join(scratch, "dist/server.js")], {
      cwd: scratch,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        PORT: String(port),
        BASE_URL: baseUrl,
        DATABASE_URL: databaseUrl.toString(),
        SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
        SMTP_URL: "smtp://127.0.0.1:9",
        LOG_LEVEL: "info",
      },
    });
    await waitForOutput(child, "Gatehouse is listening", output);
  });

  after(async () => {
    await stopProcess(child);
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("serves the sign-in page, its stylesheet and the probes", async () => {
    const login = await fetch(`${baseUrl}/login`);
    assert.equal(login.status, 200);
    assert.match(await login.text(), /name="password"/);
    assert.equal((await fetch(`${baseUrl}/public/css/app.css`)).status, 200);
    assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);
    assert.deepEqual(await (await fetch(`${baseUrl}/readyz`)).json(), { status: "ready" });
  });

  it("records the compiled migrations under their source names", async () => {
    const q: Knex = knex({ client: "pg", connection: databaseUrl.toString() });
    try {
      const applied = (await q("knex_migrations").orderBy("id").pluck("name")) as string[];
      const sources = fs.readdirSync(path.join(ROOT, "migrations")).filter((f) => f.endsWith(".ts")).sort();
      assert.deepEqual(applied, sources);
      assert.equal(await migrationsAreCurrent(q), true, "the TypeScript migrations see nothing pending");
    } finally {
      await q.destroy();
    }
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    child!.kill("SIGTERM");
    assert.equal(await exited, 0, output.join(""));
    assert.match(output.join(""), /"msg":"stopped"/);
  });
});
