import fs from "node:fs/promises";
import path from "node:path";
import type { Knex } from "knex";

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

/** Applies every pending migration; returns the names applied. */
export async function migrateLatest(q: Knex): Promise<string[]> {
  const [, applied] = (await q.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}

/** True when no migration is pending (used by /readyz). */
export async function migrationsAreCurrent(q: Knex): Promise<boolean> {
  const [, pending] = (await q.migrate.list(migrationConfig)) as [unknown[], unknown[]];
  return pending.length === 0;
}
