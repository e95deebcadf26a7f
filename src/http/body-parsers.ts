import express, { type RequestHandler } from "express";
import { rejectUnsafeBody } from "./input-guard";

/**
 * The app's only body parsers. Each comes with rejectUnsafeBody right behind it, so no parsed body
 * reaches a route unchecked. Their failures (too large, too many fields, an unsupported charset or
 * encoding, a body that does not parse) are http-errors with a 4xx status that the error handler
 * keeps (src/http/errors.ts); none of them is a 500.
 */

/** Form bodies (application/x-www-form-urlencoded), flat: `extended: false` gives strings and string arrays only. */
export function formBody(opts: { limit: string; parameterLimit: number }): RequestHandler[] {
  return [express.urlencoded({ extended: false, limit: opts.limit, parameterLimit: opts.parameterLimit }), rejectUnsafeBody];
}

/** JSON bodies (application/json, or the media types in `type`), objects and arrays only (`strict`). */
export function jsonBody(opts: { limit: string; type?: string[] }): RequestHandler[] {
  return [express.json({ limit: opts.limit, strict: true, ...(opts.type ? { type: opts.type } : {}) }), rejectUnsafeBody];
}
