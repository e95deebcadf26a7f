// First, before anything can start libuv's thread pool: it sizes the pool (see the module).
import "./thread-pool";
import path from "node:path";
import { ConfigError, loadConfig } from "./config";
import { createApp } from "./app";
import { connectDb, db, disconnectDb } from "./db/knex";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { migrateLatest } from "./db/migrate";
import { createLogger } from "./lib/logger";
import { resolveSessionSecret } from "./session-secret";
import { startMailWorker } from "./services/mail-worker";
import { startUnconfirmedAccountPrune } from "./services/unconfirmed-accounts";
import { startSecurityLogPrune } from "./services/security-log-retention";
import { startProviderEmulators, type ProviderEmulators } from "./dev/emulators";

const DATA_DIR = path.resolve(__dirname, "../.data");
const DEV_EMULATOR_BASE_PORT = 3150;

/** Entry point: config, database (embedded when DATABASE_URL is unset), migrations, app, listen. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.info({ dataDir: path.join(DATA_DIR, "postgres"), port: config.embeddedPgPort }, "DATABASE_URL is unset: starting the embedded PostgreSQL");
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(DATA_DIR, "postgres"),
      port: config.embeddedPgPort,
      database: "gatehouse",
      persistent: true,
      onLog: (line) => logger.debug({ postgres: line }),
    });
    databaseUrl = embedded.url;
  }
  connectDb(databaseUrl, undefined, logger);
  const applied = await migrateLatest(db);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");

  // Development aid: local emulators of GitHub, GitLab, Atlassian and Google on ports
  // 3150-3153, replacing any configured provider. Config refuses DEV_PROVIDER_EMULATORS in
  // production; the isProduction check here is the second lock on that door.
  let emulators: ProviderEmulators | undefined;
  if (config.devProviderEmulators && !config.isProduction) {
    emulators = await startProviderEmulators(DEV_EMULATOR_BASE_PORT);
    config.providers = emulators.providers;
    logger.warn({ providers: Object.fromEntries(Object.entries(emulators.byName).map(([name, e]) => [name, e.url])) }, "DEV_PROVIDER_EMULATORS=1: sign-in providers are local emulators");
  }

  const mailWorker = startMailWorker(config, logger);
  const stopAccountPrune = startUnconfirmedAccountPrune(logger);
  const stopLogPrune = startSecurityLogPrune(logger);
  const { app, close } = createApp({
    config,
    logger,
    sessionSecret: resolveSessionSecret(config, DATA_DIR),
    kickMail: mailWorker.kick,
  });
  // config.host: loopback only in development unless HOST says otherwise (see Config.host).
  const onListening = () => logger.info({ url: config.baseUrl, host: config.host ?? "all interfaces", port: config.port }, "Gatehouse is listening");
  const server = config.host === undefined ? app.listen(config.port, onListening) : app.listen(config.port, config.host, onListening);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    server.close();
    server.closeAllConnections();
    await mailWorker.stop();
    stopAccountPrune();
    stopLogPrune();
    await emulators?.stop();
    await close();
    await disconnectDb();
    if (embedded) await embedded.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
