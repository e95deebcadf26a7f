import type { NextFunction, Request, Response } from "express";
import { ValidationError } from "../../lib/errors";

/**
 * The API's own error replies: `{"error": {"code", "message", "fields"?}}`. Validation failures are
 * 422 with a message per field; everything else goes on to the app's error handler, which already
 * answers /api paths in the same JSON shape (and hides internals of 500s). That includes a database
 * outage, 503 `unavailable` with Retry-After: it is classified there once (isDatabaseUnavailable)
 * for web pages and the API alike rather than here a second time.
 */
export function apiErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction) {
  if (err instanceof ValidationError) {
    return res.status(422).json({ error: { code: "invalid", message: err.message, fields: err.fields } });
  }
  next(err);
}

/** 404 for API paths nobody answered, before the web middleware (sessions) could see the request. */
export function apiNotFound(_req: Request, res: Response) {
  res.status(404).json({ error: { code: "not_found", message: "Not found" } });
}
