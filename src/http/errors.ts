import type { NextFunction, Request, Response } from "express";
import { HttpError } from "../lib/errors";
import { RateLimitedError } from "./rate-limits";

/** The 404 page for anything no route answered. */
export function notFoundHandler(req: Request, res: Response) {
  if (req.path.startsWith("/api/")) return res.status(404).json({ error: { code: "not_found", message: "Not found" } });
  res.status(404).render("errors/404", { title: "Page not found" });
}

/**
 * Turns errors into pages (or JSON under /api). Known errors show their own message; anything else
 * is a 500 that shows only the request id, so internals never reach the browser.
 */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const e = err as { code?: string; status?: number; statusCode?: number; type?: string };
  let status = 500;
  let message = "Something went wrong on our side.";
  let code = "internal";
  if (err instanceof HttpError) {
    status = err.status;
    message = err.message;
    code = err.code;
  } else if (e?.code === "EBADCSRFTOKEN") {
    status = 403;
    code = "bad_csrf";
    message = "This form expired or was not sent from this site. Go back, reload the page and try again.";
  } else if (e?.type === "entity.too.large" || e?.type === "entity.parse.failed") {
    status = e.statusCode ?? 400;
    code = "bad_request";
    message = e.type === "entity.too.large" ? "The request is too large." : "The request body could not be read.";
  }
  if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
  if (status >= 500) req.log?.error({ err }, "request failed");
  if (res.headersSent) return;
  if (req.path.startsWith("/api/") || req.path.startsWith("/oauth/")) {
    return res.status(status).json({ error: { code, message } });
  }
  res.status(status).render("errors/error", { title: titleFor(status), status, message, requestId: req.id });
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
