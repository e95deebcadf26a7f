import path from "node:path";
import type { Knex } from "knex";

/** Where migrations live, and how Knex should load them (TypeScript through tsx). */
export const migrationConfig: Knex.MigratorConfig = {
  directory: path.resolve(__dirname, "../../migrations"),
  loadExtensions: [".ts"],
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
