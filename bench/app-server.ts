import http, { type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { announceReady, serveParent } from "./child";
import type { AppStats } from "./messages";
import { countStatements, statementsSoFar } from "./statement-counter";

// The app as production runs it: the JavaScript that `npm run build` compiled into dist/ (bench/run.ts
// builds it first), not the TypeScript sources through tsx, whose loader and caches would add tens of
// megabytes and some CPU that a production server does not have. This file itself runs compiled too
// (bench/compiled-app-server.ts), from elsewhere, so dist/ is found from the working directory, the
// repository (bench/child.ts).
/* eslint-disable @typescript-eslint/no-require-imports */
const dist = (name: string) => path.join(process.cwd(), "dist", name);
const { createApp } = require(dist("app")) as typeof import("../src/app");
const { loadConfig } = require(dist("config")) as typeof import("../src/config");
const { connectDb, disconnectDb } = require(dist("db/knex")) as typeof import("../src/db/knex");
const { createLogger } = require(dist("lib/logger")) as typeof import("../src/lib/logger");

/**
 * The app under test, in its own process, started as dist/server.js starts it in production: config
 * from the environment (NODE_ENV=production, DATABASE_URL, SESSION_SECRET), createApp(), listen.
 * Two differences: it listens on 127.0.0.1 only, and no mail worker runs (queued mail stays queued),
 * so the worker's polling does not count as statements of the requests measured.
 *
 * It answers the bench's messages with what only the app can see: the statements sent so far, the
 * requests in flight, and the finished responses by "METHOD path status". Counting both sides here
 * keeps them consistent: a request still running when the load stopped is counted, statements and
 * response alike, once the app finishes it.
 */
async function main() {
  countStatements();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  connectDb(config.databaseUrl!);
  const { app, close } = createApp({ config, logger, sessionSecret: config.sessionSecret! });
  let inFlight = 0;
  const responses: Record<string, number> = {};
  const server = http.createServer();
  // Before the app's own listener, which rewrites req.url while routing through mounted routers.
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    const key = `${req.method} ${(req.url ?? "").split("?")[0]}`;
    // Done when the app ends its response, not when the socket closes: a load generator that stops
    // hangs up on requests the app is still working on (queued sign-ins), and those still count.
    const end = res.end;
    let ended = false;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      if (!ended) {
        ended = true;
        inFlight--;
        const done = `${key} ${res.statusCode}`;
        responses[done] = (responses[done] ?? 0) + 1;
      }
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.end;
  });
  server.on("request", app);
  server.listen(config.port, "127.0.0.1", () => announceReady());
  serveParent(async (): Promise<AppStats> => {
    const cpu = process.cpuUsage();
    return { statements: statementsSoFar(), cpuMicros: cpu.user + cpu.system, inFlight, responses: { ...responses } };
  });

  process.on("SIGTERM", () => {
    // Finish what is running (the bench waits for the app to be idle first), then release the pools.
    const forced = setTimeout(() => server.closeAllConnections(), 10_000);
    server.close(() => {
      clearTimeout(forced);
      void close()
        .then(() => disconnectDb())
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
