import type { NextFunction, Request, Response } from "express";
import { isDatabaseUnavailable } from "../../db/unavailable";
import { describeClientError, UNAVAILABLE_RETRY_AFTER_SECONDS } from "../../http/errors";
import { HttpError, RateLimitedError, ScimError, ValidationError } from "../../lib/errors";
import { SCHEMAS, sendScim } from "./resources";

/** 404 in SCIM's error shape for a SCIM path nobody answered. */
export function scimNotFound(_req: Request, res: Response) {
  sendScim(res, 404, { schemas: [SCHEMAS.error], status: "404", detail: "Not found." });
}

/**
 * Every error under /scim in SCIM's error shape (RFC 7644 §3.12): `status` as a string, `detail`,
 * and `scimType` where the RFC names one. The catalogue's errors keep their status and message (a
 * body that fails its schema is 400 invalidValue, not the API's 422, since SCIM clients read 400);
 * a malformed body is 400 invalidSyntax; anything else a 500 that says nothing of the cause.
 */
export function scimErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction) {
  let status = 500;
  let detail = "Something went wrong on our side.";
  let scimType: string | undefined;
  const client = describeClientError(err);
  if (err instanceof ValidationError) {
    status = 400;
    scimType = "invalidValue";
    detail = Object.entries(err.fields).map(([field, message]) => (field === "_form" ? message : `${field}: ${message}`)).join(" ");
  } else if (err instanceof HttpError) {
    status = err.status;
    detail = err.message;
    scimType = err instanceof ScimError ? err.scimType : undefined;
    if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
  } else if (client) {
    status = client.status;
    detail = client.message;
    scimType = status === 400 ? "invalidSyntax" : undefined;
  } else if (isDatabaseUnavailable(err)) {
    status = 503;
    detail = "Gatehouse can't reach its database right now. Try again in a moment.";
    res.setHeader("Retry-After", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  }
  if (status >= 500 && status !== 503) req.log?.error({ err }, "request failed");
  if (res.headersSent) return;
  sendScim(res, status, { schemas: [SCHEMAS.error], status: String(status), ...(scimType ? { scimType } : {}), detail });
}
