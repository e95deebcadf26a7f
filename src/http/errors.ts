import type { NextFunction, Request, Response } from "express";
import { isDatabaseUnavailable } from "../db/unavailable";
import { HttpError, RateLimitedError, ValidationError, type FieldErrors } from "../lib/errors";
import { errorHelpFor, type ErrorHelp } from "./error-help";
import { showFormErrors } from "./validate";

/** The 404 page for anything no route answered. */
export function notFoundHandler(req: Request, res: Response) {
  if (req.path.startsWith("/api/")) return res.status(404).json({ error: { code: "not_found", message: "Not found" } });
  res.status(404).render("errors/404", { title: "Page not found" });
}

/** Seconds a client is asked to wait (Retry-After) when the database cannot be reached. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * What to say about a malformed request, by the `type` body-parser gives its errors. Our own words
 * rather than the error's message: a parse error's message can quote the body it failed on.
 */
const BODY_ERRORS: Record<string, { code: string; message: string }> = {
  "entity.too.large": { code: "too_large", message: "The request is too large." },
  "parameters.too.many": { code: "too_large", message: "The form has too many fields." },
  "entity.parse.failed": { code: "bad_request", message: "The request body could not be read: it is not valid for its content type." },
  "encoding.unsupported": { code: "unsupported_encoding", message: "The request body's Content-Encoding is not supported (use gzip, deflate, br or none)." },
  "charset.unsupported": { code: "unsupported_charset", message: "The request body's charset is not supported: send UTF-8." },
  "request.aborted": { code: "bad_request", message: "The request was cut off before its body arrived." },
  "request.size.invalid": { code: "bad_request", message: "The request body is not the length its Content-Length says." },
};

/**
 * The answer to an error a library raised over a malformed request: it carries a 4xx status
 * (http-errors' `status`/`statusCode` from body-parser, the router's URIError for a parameter that
 * does not percent-decode), or undefined for anything else. The client sent something wrong, so
 * the answer stays a 4xx instead of becoming a 500 that blames us and logs the error.
 */
export function describeClientError(err: unknown): { status: number; code: string; message: string } | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; code?: unknown };
  const status = Number(e?.status ?? e?.statusCode);
  if (!Number.isInteger(status) || status < 400 || status > 499) return undefined;
  const known = typeof e.type === "string" ? BODY_ERRORS[e.type] : undefined;
  if (known) return { status, ...known };
  if (err instanceof URIError) return { status, code: "malformed_url", message: "The address is not valid: it contains malformed percent-encoding." };
  // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR): the body is not what its Content-Encoding says.
  if (typeof e.code === "string" && e.code.startsWith("Z_")) {
    return { status, code: "bad_request", message: "The request body could not be decompressed: it is not what its Content-Encoding says." };
  }
  return { status, code: "bad_request", message: "The request could not be read." };
}

/**
 * Turns errors into pages (or JSON under /api and /oauth, in the API's one error shape). Errors of
 * the catalogue (src/lib/errors.ts) show their own message and fields; a ValidationError on a web
 * form that went through validate() is shown on the form's page again (showFormErrors); a library error carrying a 4xx status (a malformed body, a broken
 * %-escape) keeps that status with a message of ours; anything else is a 500 that shows only the
 * request id, so internals never reach the browser. A database outage (isDatabaseUnavailable,
 * whichever step hit it: the session store, passport, a route) is a 503 with Retry-After and a
 * page that says so, because the request itself was fine and trying again shortly is the right
 * thing to do. Only 5xx are logged, and never with the request body (src/lib/logger.ts).
 */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const e = err as { code?: string };
  let status = 500;
  let message = "Something went wrong on our side.";
  let code = "internal";
  let title: string | undefined;
  let fields: FieldErrors | undefined;
  // The full path: the API router hands its errors here with req.path relative to /api.
  const path = req.baseUrl + req.path;
  const isJson = path.startsWith("/api/") || path.startsWith("/oauth/");
  const clientError = describeClientError(err);
  if (err instanceof HttpError) {
    status = err.status;
    message = err.message;
    code = err.code;
    fields = err.fields;
  } else if (e?.code === "EBADCSRFTOKEN") {
    status = 403;
    code = "bad_csrf";
    message = "This form expired or was not sent from this site. Go back, reload the page and try again.";
  } else if (clientError) {
    ({ status, code, message } = clientError);
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
  if (err instanceof ValidationError && req.form && !isJson) {
    // The form's page may refuse in its own right (a record gone since: 404); that refusal is
    // answered as any other, without the form, so it cannot come back here.
    return void showFormErrors(req, res, err).catch((renderErr) => {
      delete req.form;
      errorHandler(renderErr, req, res, _next);
    });
  }
  if (isJson) {
    return res.status(status).json({ error: fields ? { code, message, fields } : { code, message } });
  }
  // The page also offers the way forward (who is signed in and who can change a role for a 403,
  // when to try again for a 429): src/http/error-help.ts.
  void errorHelpFor(req, err, status).catch((): ErrorHelp => ({})).then((help) => {
    if (!res.headersSent) res.status(status).render("errors/error", { title: title ?? titleFor(status), status, message, requestId: req.id, help });
  });
}

function titleFor(status: number): string {
  switch (status) {
    case 400: return "Bad request";
    case 403: return "Not allowed";
    case 404: return "Page not found";
    case 413: return "Request too large";
    case 415: return "Unsupported request";
    case 429: return "Slow down";
    default: return status >= 500 ? "Something went wrong" : "Request failed";
  }
}
