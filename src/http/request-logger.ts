import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../lib/logger";
import { loggablePath } from "../lib/logger";

declare module "http" {
  interface IncomingMessage {
    /** The request id, also sent back as X-Request-Id and shown on error pages as a reference. */
    id: string;
    /** A logger whose lines carry this request's id, method and loggable path. */
    log: Logger;
  }
}

/** Requests that are not logged when they succeed: health probes and static files. */
function isQuiet(url: string): boolean {
  return url === "/healthz" || url.startsWith("/public/");
}

/**
 * One structured line per request with a request id (also sent back as X-Request-Id). Only method,
 * path (query string dropped, token segments masked) and status are logged: never headers, cookies
 * or bodies. Errors logged through `req.log` go through the logger's own allowlist (serializeError).
 *
 * Written here rather than with pino-http, which made a child logger (serializing the request) and
 * added listeners on every request even when nothing would be logged: that was a few percent of a
 * signed-in page. Here `req.log` is made on first use, and the line for a finished request is only
 * built when its level is enabled (a 5xx is "error", anything else "info").
 */
export function requestLogger(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = crypto.randomUUID();
    req.id = id;
    res.setHeader("X-Request-Id", id);
    // The URL as it arrived: mounted routers rewrite req.url later.
    const url = req.url ?? "";
    let log: Logger | undefined;
    Object.defineProperty(req, "log", {
      configurable: true,
      enumerable: false,
      get: () => (log ??= logger.child({ req: { id, method: req.method, path: loggablePath(url) } })),
    });
    const info = logger.isLevelEnabled("info");
    if (!isQuiet(url) && (info || logger.isLevelEnabled("error"))) {
      const started = Date.now();
      let done = false;
      const onDone = () => {
        if (done) return;
        done = true;
        const level = res.statusCode >= 500 ? "error" : "info";
        if (!logger.isLevelEnabled(level)) return;
        const line = { res: { status: res.statusCode }, responseTime: Date.now() - started };
        if (level === "error") req.log.error(line, "request errored");
        else req.log.info(line, res.writableFinished ? "request completed" : "request aborted");
      };
      res.on("finish", onDone);
      // An aborted request is only logged at info; at a quieter level only a 5xx can be logged.
      if (info) res.on("close", onDone);
    }
    next();
  };
}
