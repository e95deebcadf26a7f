import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/db/embedded";
import { connectDb, db, disconnectDb } from "../src/db/knex";
import { migrateLatest } from "../src/db/migrate";
import { freePort } from "../test/helpers/free-port";

/** A throw-away migrated database for one bench run. */
export interface BenchDatabase {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Starts an embedded PostgreSQL in a temporary directory on a free port (nothing persists after the
 * run) and applies every migration, the way the app's own start-up would.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-bench-"));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pg"), port: await freePort(), database: "bench", persistent: false });
  const stop = async () => {
    try {
      await pg.stop();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  try {
    connectDb(pg.url, 1);
    await migrateLatest(db);
  } catch (err) {
    await disconnectDb();
    await stop();
    throw err;
  }
  await disconnectDb();
  return { url: pg.url, stop };
}
