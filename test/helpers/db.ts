import crypto from "node:crypto";
import pg from "pg";
import { connectDb, db, disconnectDb } from "../../src/db/knex";

/**
 * Gives this test file its own database, cloned from the migrated template that test/run.ts made,
 * and connects the app's shared Knex instance to it. Returns its URL.
 */
export async function setupTestDatabase(): Promise<string> {
  const adminUrl = process.env.GATEHOUSE_TEST_ADMIN_URL;
  const template = process.env.GATEHOUSE_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error("Run the tests with `npm test` (test/run.ts prepares the database).");
  const name = `gatehouse_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  connectDb(url.toString(), 5);
  return url.toString();
}

/** Disconnects and drops this file's database. */
export async function teardownTestDatabase(url: string): Promise<void> {
  await disconnectDb();
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

/** Empties every table (but the migration bookkeeping) so each test starts on clean data. */
export async function resetData(): Promise<void> {
  const { rows } = await db.raw<{ rows: { tablename: string }[] }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_migrations%'",
  );
  if (rows.length === 0) return;
  await db.raw(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`);
}

/** Runs one statement on the test server's admin connection (creating or dropping databases). */
export async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.GATEHOUSE_TEST_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
