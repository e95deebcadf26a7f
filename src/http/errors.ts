import type { NextFunction, Request, Response } from "express";
import { isDatabaseUnavailable } from "../db/unavailable";
import { HttpError, type FieldErrors } from "../lib/errors";
import { UnsafeInputError } from "./input-guard";
import { RateLimitedError } from "./rate-limits";

/** The 404 page for anything no route answered. */
export function notFoundHandler(req: Request, res: Response) {
  if (req.path.startsWith("/api/")) return res.status(404).json({ error: { code: "not_found", message: "Not found" } });
  res.status(404).render("errors/404", { title: "Page not found" });
}

/** Seconds a client is asked to wait (Retry-After) when the database cannot be reached. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Turns errors into pages (or JSON under /api and /oauth, in the API's one error shape). Known
 * errors show their own message; anything else is a 500 that shows only the request id, so
 * internals never reach the browser. A database outage (isDatabaseUnavailable, whichever step hit
 * it: the session store, passport, a route) is a 503 with Retry-After and a page that says so,
 * because the request itself was fine and trying again shortly is the right thing to do.
 */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const e = err as { code?: string; status?: number; statusCode?: number; type?: string };
  let status = 500;
  let message = "Something went wrong on our side.";
  let code = "internal";
  let title: string | undefined;
  let fields: FieldErrors | undefined;
  const isJson = req.path.startsWith("/api/") || req.path.startsWith("/oauth/");
  if (err instanceof HttpError) {
    status = err.status;
    message = err.message;
    code = err.code;
    if (err instanceof UnsafeInputError) fields = err.fields;
  } else if (e?.code === "EBADCSRFTOKEN") {
    status = 403;
    code = "bad_csrf";
    message = "This form expired or was not sent from this site. Go back, reload the page and try again.";
  } else if (e?.type === "entity.too.large" || e?.type === "entity.parse.failed") {
    status = e.statusCode ?? 400;
    code = "bad_request";
    message = e.type === "entity.too.large" ? "The request is too large." : "The request body could not be read.";
  } else if (isDatabaseUnavailable(err)) {
    status = 503;
    code = "unavailable";
    title = "Gatehouse can't reach its database right now";
    message = isJson ? `${title}. Try again in a moment.` : "This is on our side, not yours. Please try again in a moment.";
  }
  if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
  // An outage is logged without a stack: the driver's stack says nothing about our code, and one
  // per request for as long as the outage lasts would bury real failures in the log.
  if (status === 503) req.log?.warn({ err: (err as Error).message }, "database unavailable");
  else if (status >= 500) req.log?.error({ err }, "request failed");
  if (res.headersSent) return;
  if (status === 503) {
    res.setHeader("Retry-After", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    // No cache may keep this answer: it is wrong again as soon as the database is back.
    res.setHeader("Cache-Control", "no-store");
  }
  if (isJson) {
    return res.status(status).json({ error: fields ? { code, message, fields } : { code, message } });
  }
  res.status(status).render("errors/error", { title: title ?? titleFor(status), status, message, requestId: req.id });
}

function titleFor(status: number): string {
  switch (status) {
    case 400: return "Bad request";
    case 403: return "Not allowed";
    case 404: return "Page not found";
    case 429: return "Slow down";
    default: return status >= 500 ? "Something went wrong" : "Request failed";
  }
}
