// First, before anything can start libuv's thread pool (see the module).
import "./thread-pool";
import path from "node:path";
import { ConfigError, loadConfig } from "./config";
import { connectDb, db, disconnectDb } from "./db/knex";
import { runningEmbeddedPostgresUrl, startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { migrateLatest } from "./db/migrate";
import { changeSiteAdminByUsername, SiteAdminRuleError } from "./services/site-admins";

/**
 * `npm run admin -- grant <username>`, `revoke <username>`, `list`: site admins from the server's
 * command line, the way the first admin is made (no web route grants it to oneself). Uses the app's
 * database: DATABASE_URL, or the embedded PostgreSQL of `npm start` (the running one, or started
 * here for the command and stopped again). Each change lands in the admin audit log as done by
 * "npm run admin"; revoking the last active site admin is refused, as on the admin pages.
 */
const DATA_DIR = path.resolve(__dirname, "../.data");
const USAGE = "Usage: npm run admin -- grant <username> | revoke <username> | list";

async function main(args: string[]): Promise<number> {
  const [command, username] = args;
  if (!(command === "list" || ((command === "grant" || command === "revoke") && username))) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    const dataDir = path.join(DATA_DIR, "postgres");
    url = await runningEmbeddedPostgresUrl(dataDir, config.embeddedPgPort, "gatehouse");
    if (!url) {
      embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, database: "gatehouse", persistent: true });
      url = embedded.url;
    }
  }
  connectDb(url, 2);
  try {
    await migrateLatest(db);
    if (command === "list") {
      const admins = await db("users").where({ is_site_admin: true }).orderBy("username").select<{ username: string; suspended_at: Date | null }[]>("username", "suspended_at");
      if (admins.length === 0) console.log("No site admins yet. Make one with: npm run admin -- grant <username>");
      for (const a of admins) console.log(a.suspended_at ? `${a.username} (suspended)` : a.username);
      return 0;
    }
    const user = await changeSiteAdminByUsername(username!, command === "grant");
    console.log(command === "grant" ? `${user.username} is a site admin.` : `${user.username} is no longer a site admin.`);
    return 0;
  } catch (err) {
    if (err instanceof SiteAdminRuleError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    await disconnectDb();
    if (embedded) await embedded.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
