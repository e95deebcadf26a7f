import http from "node:http";
import type { Express } from "express";
import type { AddressInfo } from "node:net";
import type { DestinationStream } from "pino";
import { after, before, beforeEach } from "node:test";
import { createApp } from "../../src/app";
import { loadConfig, type Config } from "../../src/config";
import type { AppContext } from "../../src/context";
import { createLogger } from "../../src/lib/logger";
import type { PgSessionStore } from "../../src/http/session-store";
import { startMailWorker } from "../../src/services/mail-worker";
import { resetData, setupTestDatabase, teardownTestDatabase } from "./db";
import { Mailbox } from "./mailbox";

/** Where a test app's data lives: set up before the app starts, torn down after it stops. */
export interface TestDatabase {
  /** Connects the shared Knex instance to a migrated database and returns its URL. */
  setup: () => Promise<string>;
  teardown: (url: string) => Promise<void>;
}

/** The default: this file's own clone of the template database on the shared test server. */
const templateClone: TestDatabase = { setup: setupTestDatabase, teardown: teardownTestDatabase };

export interface TestApp {
  baseUrl: string;
  mailbox: Mailbox;
  ctx: AppContext;
  config: Config;
  /** The Express app, for tests that change an app setting (e.g. `view cache`). */
  app: Express;
}

/**
 * Registers before/after hooks that give the calling test file a running Gatehouse: its own
 * database (emptied before each test), a real SMTP mailbox, and the app listening on a free port.
 * `env` adds or overrides environment variables for this app; an empty string unsets one (loadConfig
 * treats "" as unset), e.g. `{ SMTP_URL: "" }` for the development outbox. `logDestination` receives
 * the app's log lines instead of stdout; `SessionStore` replaces the session store class (race tests
 * stall its writes). `database` replaces the shared test server with another one (a file that stops
 * its own PostgreSQL must not stop everyone's). `baseHost` names the app in BASE_URL instead of
 * 127.0.0.1 (WebAuthn refuses IP addresses as relying parties, so passkey tests use "localhost"). Read the returned object's fields inside tests (they
 * are filled in by the `before` hook).
 */
export function useTestApp(
  env: Record<string, string> = {},
  opts: { logDestination?: DestinationStream; SessionStore?: typeof PgSessionStore; database?: TestDatabase; baseHost?: string } = {},
): TestApp {
  const database = opts.database ?? templateClone;
  const t = {} as TestApp;
  let server: http.Server;
  let dbUrl: string;
  let stopApp: () => Promise<void>;
  let startWorker: () => ReturnType<typeof startMailWorker>;
  let worker: ReturnType<typeof startMailWorker>;

  before(async () => {
    dbUrl = await database.setup();
    t.mailbox = new Mailbox();
    await t.mailbox.start();
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    t.baseUrl = `http://${opts.baseHost ?? "127.0.0.1"}:${port}`;
    t.config = loadConfig({
      NODE_ENV: "test",
      PORT: String(port),
      BASE_URL: t.baseUrl,
      SMTP_URL: t.mailbox.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      ...env,
    });
    const logger = createLogger(t.config.logLevel, opts.logDestination);
    startWorker = () => startMailWorker(t.config, logger);
    worker = startWorker();
    const built = createApp({ config: t.config, logger, sessionSecret: "test-secret-".padEnd(40, "x"), SessionStore: opts.SessionStore });
    t.ctx = built.ctx;
    t.app = built.app;
    server.on("request", built.app);
    stopApp = async () => {
      await worker.stop();
      await built.close();
    };
  });

  beforeEach(async () => {
    // The previous test's mail must not arrive in this one: a send still in flight when the data is
    // reset would land in the cleared mailbox (with a link of the previous test). So the worker
    // finishes its send and stops, the data and mailbox are reset, and a fresh worker starts.
    await worker.stop();
    await resetData();
    t.mailbox.clear();
    worker = startWorker();
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await stopApp();
    await t.mailbox.stop();
    await database.teardown(dbUrl);
  });

  return t;
}
