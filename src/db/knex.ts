import knex, { type Knex } from "knex";
import pg from "pg";
import type { Logger } from "../lib/logger";

// timestamptz columns come back as Date objects (pg's default); bigint ids as JS numbers, since ours
// stay far below 2^53 and numbers are what the rest of the code compares and serialises.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** The process-wide Knex instance; set by connectDb() before the app serves requests. */
export let db: Knex;

/** Executor accepted by every query function: the shared instance or an open transaction. */
export type Executor = Knex | Knex.Transaction;

/**
 * How long a query waits for a pooled connection, and a new connection for the server, before it
 * fails. Knex's default is 60 s, which during a database outage holds every request (and the
 * browser or load balancer behind it) for a minute before the 503. Five seconds is still far above
 * any wait in normal operation: requests hold a connection only for their queries (password
 * hashing happens outside transactions), so queues drain in milliseconds (200 concurrent clients
 * on a pool of five waited well under this), and a request that has waited 5 s is facing an
 * overload that a quick 503 with Retry-After serves better than a longer queue.
 */
export const DB_CONNECT_TIMEOUT_MS = 5000;

/**
 * Creates the shared Knex instance for a PostgreSQL URL and returns it.
 *
 * Surviving a database restart needs no more than this: Knex's pg dialect attaches an `error` and
 * an `end` listener to every client it opens (knex/lib/dialects/postgres/index.js), so a server
 * closing an idle connection marks that client disposed instead of raising an unhandled `error`
 * event, and the pool's validation drops disposed clients and opens fresh ones on the next
 * acquire. `connectionTimeoutMillis` bounds a connect attempt to a host that does not answer at all
 * (node-postgres waits forever by default), so dead attempts do not pile up behind the pool.
 * With a logger, Knex's own warnings (a dropped connection, a failed acquire) go into the app's
 * structured log instead of raw multi-line text on the console.
 */
export function connectDb(databaseUrl: string, poolMax = 10, logger?: Logger): Knex {
  connectionSettings = { connectionString: databaseUrl, connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS };
  db = knex({
    client: "pg",
    connection: connectionSettings,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: DB_CONNECT_TIMEOUT_MS,
    ...(logger ? { log: knexLog(logger) } : {}),
  });
  return db;
}

let connectionSettings: { connectionString: string; connectionTimeoutMillis: number } | undefined;

/**
 * A new client for the database the shared instance uses, outside its pool, for a session that must
 * stay open (LISTEN). The caller connects it, handles its `error` event and ends it.
 */
export function newDedicatedClient(): pg.Client {
  if (!connectionSettings) throw new Error("connectDb() has not been called");
  return new pg.Client(connectionSettings);
}

function knexLog(logger: Logger): Knex.Logger {
  // Knex appends the stack of the driver error; its first line says what happened, the rest is
  // node-postgres's internals and would repeat on every failed acquire during an outage.
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message)).split("\n")[0];
  return {
    warn: (message) => logger.warn({ knex: text(message) }, "database warning"),
    error: (message) => logger.error({ knex: text(message) }, "database error"),
    deprecate: (method, alternative) => logger.warn({ knex: `${method} is deprecated, use ${alternative}` }, "database warning"),
    debug: (message) => logger.debug({ knex: text(message) }, "database debug"),
  };
}

/**
 * Runs one of the statements sent on nearly every request (the session read, the bearer-token
 * lookup) or on the most visited pages (the profile page's pictures) as a named prepared statement:
 * PostgreSQL parses and plans it once per pooled connection, and later requests only bind and
 * execute it. Parsing and planning those joins cost the database more than running them (about
 * half of its CPU per signed-in page), and the database shares the machine's cores with the app in
 * small deployments. Those reads come here through CoalescedLookup (coalesced-lookup.ts), which
 * also shares one statement among the requests that arrive together.
 *
 * It goes to node-postgres directly, on a connection from Knex's pool (the same pool, timeouts and
 * disposal of broken connections as every other query), not through Knex's query runner: for a
 * fixed text there is nothing to build, and the runner's work around it (placing bindings,
 * compiling, its events and wrappers) cost measurably (side by side, skipping it took about 9% off
 * the app's CPU per bearer API request and 2% per signed-in page). So it never runs inside a
 * transaction; these statements only read.
 *
 * Rows come back as arrays of column values (columnsAt below turns them into objects).
 * Rules for `text`: PostgreSQL's `$1` placeholders; one fixed text per name (node-postgres refuses a
 * second text under the same name); an explicit column list, never `*`: PostgreSQL expands `*` when
 * it prepares, so a migration that adds a column would make every prepared copy fail with "cached
 * plan must not change result type" until the process restarts. Behind PgBouncer in transaction
 * mode this needs PgBouncer 1.21 or later with max_prepared_statements set, like any client using
 * prepared statements.
 */
export async function queryPrepared(name: string, text: string, values: readonly unknown[]): Promise<unknown[][]> {
  const connection = (await db.client.acquireConnection()) as pg.Client;
  try {
    return (await connection.query<unknown[]>({ name, text, values: values as unknown[], rowMode: "array" })).rows;
  } finally {
    db.client.releaseConnection(connection);
  }
}

/**
 * The object that `names` describe, taken from a row of queryPrepared at `offset`: the columns of a
 * joined read come back side by side, each table's in the order its names were selected. Rows come
 * as arrays because node-postgres would otherwise build one object holding every column of the
 * join (about fifty for the token and its owner) that the caller then takes apart again.
 */
export function columnsAt<T>(names: readonly string[], row: readonly unknown[], offset = 0): T {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) out[names[i]!] = row[offset + i];
  return out as T;
}

/** Like columnsAt, for a LEFT JOINed table: undefined when the join found no row (its first column, the id, is null). */
export function joinedAt<T>(names: readonly string[], row: readonly unknown[], offset: number): T | undefined {
  return row[offset] === null ? undefined : columnsAt<T>(names, row, offset);
}

/** Closes the shared instance's pool. */
export async function disconnectDb(): Promise<void> {
  if (db) await db.destroy();
}
