import { loadConfig } from "./src/config";
import { migrationConfig } from "./src/db/migrate";

// For the knex CLI against an external database (DATABASE_URL). `npm start` migrates on its own.
const config = loadConfig();

export default {
  client: "pg",
  connection: config.databaseUrl,
  migrations: migrationConfig,
};
