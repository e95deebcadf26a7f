import fs from "node:fs/promises";
import path from "node:path";
import type { Knex } from "knex";
import pg from "pg";

/**
 * Under tsx this file is src/db/migrate.ts and runs the TypeScript sources in migrations/; in the
 * build (`npm run build`) it is dist/db/migrate.js and runs their compiled copies in dist/migrations/,
 * so production never compiles TypeScript.
 */
const compiled = path.extname(__filename) === ".js";
const DIRECTORY = compiled ? path.resolve(__dirname, "../migrations") : path.resolve(__dirname, "../../migrations");
const EXTENSION = compiled ? ".js" : ".ts";

/**
 * Lists the migrations of one form but names each by its source file (`<name>.ts`), the name that
 * knex_migrations has always recorded: Knex compares names with their extension, so under
 * `<name>.js` a database migrated by tsx would look unmigrated to the build, and the reverse.
 */
class MigrationFiles implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    const files = await fs.readdir(DIRECTORY);
    return files
      .filter((f) => f.endsWith(EXTENSION))
      .map((f) => path.basename(f, EXTENSION))
      .sort();
  }

  getMigrationName(name: string): string {
    return `${name}.ts`;
  }

  async getMigration(name: string): Promise<Knex.Migration> {
    return require(path.join(DIRECTORY, name + EXTENSION)) as Knex.Migration;
  }
}

/** How Knex finds and records migrations, from the sources under tsx and from dist/ in the build. */
export const migrationConfig: Knex.MigratorConfig = {
  migrationSource: new MigrationFiles(),
  tableName: "knex_migrations",
};

/**
 * Applies every pending migration; returns the names applied.
 *
 * Several app processes started at once on a fresh database all migrate, and Knex alone lets only
 * one of them through: the others fail, with MigrationLocked or a duplicate key in knex_migrations
 * (two of them creating its tables at once), and exit. So each first takes a PostgreSQL advisory
 * lock, on a connection of its own outside the pool (a pool of one would wait for itself): the
 * first migrates, the others wait for it, then find nothing pending, and all start. The server
 * releases the lock when the connection closes, so a process that dies while migrating never
 * leaves the others waiting. `onWait` hears that another process holds it.
 */
export async function migrateLatest(q: Knex, onWait?: () => void): Promise<string[]> {
  const lock = new pg.Client(q.client.connectionSettings as pg.ClientConfig);
  // A connection lost while waiting fails the query below; without a listener it would also crash the process.
  lock.on("error", () => {});
  await lock.connect();
  try {
    const { rows } = await lock.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${MIGRATION_LOCK}) AS locked`);
    if (!rows[0].locked) {
      onWait?.();
      await lock.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    }
    const [, applied] = (await q.migrate.latest(migrationConfig)) as [number, string[]];
    return applied;
  } finally {
    await lock.end();
  }
}

/**
 * The advisory lock's key, in the two-number key space, apart from the one-number keys that
 * migrations and services take (hashtext of a handle, for instance).
 */
const MIGRATION_LOCK = "hashtext('gatehouse'), hashtext('migrate')";

/** True when no migration is pending (used by /readyz). */
export async function migrationsAreCurrent(q: Knex): Promise<boolean> {
  const [, pending] = (await q.migrate.list(migrationConfig)) as [unknown[], unknown[]];
  return pending.length === 0;
}
