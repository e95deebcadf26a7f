import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import knex, { type Knex } from "knex";

import { migrateLatest } from "../../src/db/migrate";
import { adminQuery } from "../helpers/db";
import { freePort } from "../helpers/free-port";

const ROOT = path.resolve(__dirname, "../..");
const MIGRATIONS = fs.readdirSync(path.join(ROOT, "migrations")).filter((f) => f.endsWith(".ts")).sort();
const PROCESSES = 4;

/** A new empty database on the test server; dropped after the file. */
async function freshDatabase(created: string[]): Promise<string> {
  const name = `gatehouse_test_cold_${crypto.randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  created.push(name);
  const url = new URL(process.env.GATEHOUSE_TEST_ADMIN_URL ?? "postgres://unset");
  url.pathname = `/${name}`;
  return url.toString();
}

async function appliedMigrations(url: string): Promise<string[]> {
  const q = knex({ client: "pg", connection: url });
  try {
    return (await q("knex_migrations").orderBy("id").pluck("name")) as string[];
  } finally {
    await q.destroy();
  }
}

describe("cold starts on a fresh database, several at once", () => {
  const created: string[] = [];
  after(async () => {
    for (const name of created) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("lets every concurrent migrate call succeed, applying each migration exactly once", async () => {
    const url = await freshDatabase(created);
    // One Knex instance (one pool of one connection) per caller, as separate processes would have.
    const instances: Knex[] = Array.from({ length: PROCESSES }, () => knex({ client: "pg", connection: url, pool: { min: 0, max: 1 } }));
    try {
      const results = await Promise.allSettled(instances.map((q) => migrateLatest(q)));
      assert.deepEqual(results.map((r) => r.status), Array(PROCESSES).fill("fulfilled"), JSON.stringify(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))));
      const applied = results.map((r) => (r as PromiseFulfilledResult<string[]>).value);
      // One caller applied everything; the others waited for it and found nothing left to do.
      assert.deepEqual(applied.filter((a) => a.length > 0), [MIGRATIONS]);
      assert.equal(applied.filter((a) => a.length === 0).length, PROCESSES - 1);
    } finally {
      await Promise.all(instances.map((q) => q.destroy()));
    }
    assert.deepEqual(await appliedMigrations(url), MIGRATIONS);
  });

  it(`starts ${PROCESSES} servers at once on a fresh database, and every one of them serves`, async () => {
    const url = await freshDatabase(created);
    const children: ChildProcess[] = [];
    const outputs: string[][] = [];
    try {
      const ports = await Promise.all(Array.from({ length: PROCESSES }, () => freePort()));
      const listening = ports.map((port, i) => {
        const child = spawn(process.execPath, ["--require", "tsx/cjs", "src/server.ts"], {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
          env: { PATH: process.env.PATH, NODE_ENV: "development", TSX_DISABLE_CACHE: "1", PORT: String(port), DATABASE_URL: url, SESSION_SECRET: crypto.randomBytes(32).toString("base64url"), LOG_LEVEL: "info" },
        });
        children.push(child);
        const output: string[] = (outputs[i] = []);
        return new Promise<void>((resolve, reject) => {
          child.stdout!.on("data", (chunk: Buffer) => {
            output.push(chunk.toString());
            if (output.join("").includes("Gatehouse is listening")) resolve();
          });
          child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
          child.once("exit", (code) => reject(new Error(`server ${i} exited (${code}) during start-up:\n${output.join("")}`)));
        });
      });
      await Promise.all(listening);
      for (const port of ports) assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json(), { status: "ready" });
      assert.equal(outputs.filter((o) => o.join("").includes('"msg":"migrations applied"')).length, 1, "exactly one process migrated");
    } finally {
      await Promise.all(
        children.map((child) => {
          if (child.exitCode !== null) return undefined;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          return exited;
        }),
      );
    }
    assert.deepEqual(await appliedMigrations(url), MIGRATIONS);
  });
});
