import crypto from "node:crypto";
import pinoHttp from "pino-http";
import type { Logger } from "../lib/logger";
import { loggablePath, serializeError } from "../lib/logger";

/**
 * One structured line per request with a request id (also sent back as X-Request-Id). Only method,
 * path (query string dropped, token segments masked) and status are logged: never headers, cookies
 * or bodies. Errors go through the logger's own allowlist (serializeError), which pino-http would
 * otherwise replace with pino's copy-everything serializer, request body included.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (_req, res) => {
      const id = crypto.randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: loggablePath(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: serializeError,
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "info"),
    autoLogging: { ignore: (req) => req.url === "/healthz" || (req.url ?? "").startsWith("/public/") },
  });
}
