import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/db/embedded";
import { connectDb, db, disconnectDb } from "../../src/db/knex";
import { freePort } from "./free-port";
import { migrateLatest } from "../../src/db/migrate";
import { createLogger } from "../../src/lib/logger";
import type { TestDatabase } from "./app";

/** A PostgreSQL server of the calling test file's own, which the file may stop and start at will. */
export interface OwnPostgres extends TestDatabase {
  /** Stops the server with a fast shutdown (as `pg_ctl stop` does): open connections are cut. */
  stop: () => Promise<void>;
  /** Starts it again on the same data directory and port, so the app's URL stays valid. */
  start: () => Promise<void>;
}

/**
 * A `database` for useTestApp that runs its own embedded PostgreSQL instead of cloning the shared
 * test server's template: stopping the shared server would break every other file running in
 * parallel. The cluster is persistent between stop() and start() and removed at teardown.
 */
export function ownPostgres(): OwnPostgres {
  let tmp = "";
  let port = 0;
  let server: EmbeddedDatabase | undefined;
  const start = async () => {
    server = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port, database: "gatehouse", persistent: true });
  };
  return {
    async setup() {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-own-pg-"));
      port = await freePort();
      await start();
      // Knex's warnings during an outage go to a logger at the tests' log level, as the app's do.
      connectDb(server!.url, 5, createLogger(process.env.TEST_LOG_LEVEL ?? "silent"));
      await migrateLatest(db);
      return server!.url;
    },
    async teardown() {
      await disconnectDb();
      await server?.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    start,
  };
}
