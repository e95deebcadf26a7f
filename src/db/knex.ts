import knex, { type Knex } from "knex";
import pg from "pg";

// timestamptz columns come back as Date objects (pg's default); bigint ids as JS numbers, since ours
// stay far below 2^53 and numbers are what the rest of the code compares and serialises.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** The process-wide Knex instance; set by connectDb() before the app serves requests. */
export let db: Knex;

/** Executor accepted by every query function: the shared instance or an open transaction. */
export type Executor = Knex | Knex.Transaction;

/** Creates the shared Knex instance for a PostgreSQL URL and returns it. */
export function connectDb(databaseUrl: string, poolMax = 10): Knex {
  db = knex({
    client: "pg",
    connection: databaseUrl,
    pool: { min: 0, max: poolMax },
  });
  return db;
}

/** Closes the shared instance's pool. */
export async function disconnectDb(): Promise<void> {
  if (db) await db.destroy();
}
