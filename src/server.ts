// First, before anything can start libuv's thread pool: it sizes the pool (see the module).
import "./thread-pool";
import path from "node:path";
import { ConfigError, loadConfig } from "./config";
import { createApp } from "./app";
import { connectDb, db, disconnectDb } from "./db/knex";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./db/embedded";
import { logEmbeddedPlacement } from "./db/embedded-log";
import { EmbeddedPostgresUnavailable } from "./db/embedded-placement";
import { migrateLatest } from "./db/migrate";
import { createLogger } from "./lib/logger";
import { drainHttpServer } from "./http/drain";
import { startMetricsServer } from "./metrics/server";
import { resolveSessionSecret } from "./session-secret";
import { startMailWorker } from "./services/mail-worker";
import { startUnconfirmedAccountPrune } from "./services/unconfirmed-accounts";
import { startSecurityLogPrune } from "./services/security-log-retention";
import { startBackingRecheck } from "./services/org-backing-recheck";
import { startTokenExpiryReminders } from "./services/token-expiry-reminders";
import { startProviderEmulators, type ProviderEmulators } from "./dev/emulators";
import { applyAdminUsernames } from "./services/site-admins";

const DATA_DIR = path.resolve(__dirname, "../.data");
const DEV_EMULATOR_BASE_PORT = 3150;
/** How long shutdown waits for the database pool to close once requests and mail are done. */
const POOL_CLOSE_MS = 3000;

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
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(DATA_DIR, "postgres"),
      port: config.embeddedPgPort,
      database: "gatehouse",
      persistent: true,
      onLog: (line) => logger.debug({ postgres: line }),
      onPlaced: (placement) => logEmbeddedPlacement(logger, placement, config.embeddedPgPort),
      ownProcessGroup: true,
    });
    databaseUrl = embedded.url;
  }
  connectDb(databaseUrl, undefined, logger);
  const applied = await migrateLatest(db, () => logger.info("another process is applying migrations: waiting for it"));
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  if (config.adminUsernames.length > 0) {
    const { granted, missing } = await applyAdminUsernames(config.adminUsernames);
    if (granted.length > 0) logger.info({ granted }, "ADMIN_USERNAMES: made site admins");
    if (missing.length > 0) logger.warn({ missing }, "ADMIN_USERNAMES: no such users yet (granted at a start after they sign up)");
  }

  // Development aid: local emulators of GitHub, GitLab, Atlassian, Google and Bitbucket on ports
  // 3150-3154, replacing any configured provider. Config refuses DEV_PROVIDER_EMULATORS in
  // production; the isProduction check here is the second lock on that door.
  let emulators: ProviderEmulators | undefined;
  if (config.devProviderEmulators && !config.isProduction) {
    emulators = await startProviderEmulators(DEV_EMULATOR_BASE_PORT);
    config.providers = emulators.providers;
    config.backingProviders = emulators.backingProviders;
    logger.warn({ providers: Object.fromEntries(Object.entries(emulators.byName).map(([name, e]) => [name, e.url])) }, "DEV_PROVIDER_EMULATORS=1: sign-in providers are local emulators");
  }

  const mailWorker = startMailWorker(config, logger);
  const stopAccountPrune = startUnconfirmedAccountPrune(logger);
  const stopLogPrune = startSecurityLogPrune(logger);
  const { app, ctx, close } = createApp({
    config,
    logger,
    sessionSecret: resolveSessionSecret(config, DATA_DIR),
  });
  const stopBackingRecheck = startBackingRecheck(ctx, logger);
  const stopTokenReminders = startTokenExpiryReminders(ctx, logger);
  // config.host: loopback only in development unless HOST says otherwise (see Config.host).
  const onListening = () => logger.info({ url: config.baseUrl, host: config.host ?? "all interfaces", port: config.port }, "Gatehouse is listening");
  const server = config.host === undefined ? app.listen(config.port, onListening) : app.listen(config.port, config.host, onListening);
  const metrics = config.metrics ? await startMetricsServer(config.metrics, logger) : undefined;

  /**
   * SIGTERM (an orchestrator, `docker stop`) or SIGINT (Ctrl-C): stop accepting connections, let the
   * requests in flight and the mail worker's current send finish, within config.shutdownGraceMs,
   * then close the pool and stop the embedded database, in that order, since each step needs the
   * next one until it is done. A second signal exits at once.
   */
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal during shutdown: exiting now");
      process.exit(1);
    }
    stopping = true;
    // First, before anything is logged: once the log says so, new connections are refused.
    const draining = drainHttpServer(server, config.shutdownGraceMs);
    logger.info({ signal, graceSeconds: config.shutdownGraceMs / 1000 }, "shutting down: refusing new connections, finishing requests in flight");
    // Should a step hang (a pool that never drains, a database that never stops), exit anyway.
    setTimeout(() => {
      logger.error("shutdown did not finish in time: exiting");
      process.exit(1);
    }, config.shutdownGraceMs + 10_000).unref();
    const graceOver = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), config.shutdownGraceMs).unref());
    const [http, mail] = await Promise.all([draining, Promise.race([mailWorker.stop().then(() => "stopped" as const), graceOver])]);
    if (http.cut > 0) logger.warn({ connections: http.cut }, "requests still running at the end of the grace period were cut");
    if (mail === "timeout") logger.warn("the mail worker was still sending at the end of the grace period; unsent mail stays queued");
    stopAccountPrune();
    stopLogPrune();
    stopBackingRecheck();
    stopTokenReminders();
    await metrics?.close();
    await emulators?.stop();
    await close();
    // A query still waiting (a request cut above, blocked on a lock) would hold the pool open for as
    // long as it waits: give the pool a few seconds, then go on; exiting drops its connections.
    const poolClosed = await Promise.race([disconnectDb().then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), POOL_CLOSE_MS).unref())]);
    if (!poolClosed) logger.warn("database connections still busy after the grace period are dropped");
    if (embedded) await embedded.stop();
    logger.info("stopped");
    process.exit(0);
  };
  const onSignal = (signal: string) =>
    void shutdown(signal).catch((err) => {
      logger.error({ err }, "shutdown failed");
      process.exit(1);
    });
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
}

main().catch((err) => {
  // What the operator must fix (no user to run the embedded database as, say) is said in a sentence.
  console.error(err instanceof EmbeddedPostgresUnavailable ? err.message : err);
  process.exit(1);
});
