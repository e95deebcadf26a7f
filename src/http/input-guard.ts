import type { NextFunction, Request, Response } from "express";
import { HttpError, type FieldErrors } from "../lib/errors";

/**
 * The one check every request's input passes before any route sees it: no control characters and
 * no broken percent-encoding. PostgreSQL refuses a NUL byte in text (a 500 deep inside a query),
 * and the other C0/C1 controls are never typed by a person: they smuggle line breaks into logs
 * and emails, hide text in names, or split headers. Refusing them here, once, means no route,
 * service or query has to remember to. Rules for which printable characters a name may hold
 * belong to the field's own schema, not here.
 *
 * - URL (path and query): no control character at all, tab and line breaks included: nothing of
 *   ours puts multi-line text in a URL, and a decoded path segment becomes a route parameter.
 * - Body (forms and JSON, keys and values at any depth): no NUL and no C0/C1 control except tab,
 *   CR and LF, which a textarea (a bio, a description) legitimately sends.
 */
const URL_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const BODY_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** A request refused for its characters: 400, with the offending body fields named when there are any. */
export class UnsafeInputError extends HttpError {
  constructor(message: string, fields?: FieldErrors, code = "invalid_characters") {
    super(400, message, code, fields);
  }
}

const FIELD_MESSAGE = "Contains a control character (such as a NUL byte), which is not accepted.";

/** True when `value` holds a character no URL of ours may carry (after percent-decoding). */
export function hasUrlControl(value: string): boolean {
  return URL_CONTROL.test(value);
}

/** True when `value` holds a character no body field may carry (tab, CR and LF are allowed). */
export function hasBodyControl(value: string): boolean {
  return BODY_CONTROL.test(value);
}

/**
 * Refuses a request whose path does not percent-decode (the router would throw a URIError on the
 * parameter) or whose decoded path or query holds a control character. Mounted once, before any
 * route, so /api, /oauth and the web pages share it.
 */
export function rejectUnsafeUrl(req: Request, _res: Response, next: NextFunction) {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(new UnsafeInputError("The address is not valid: it contains malformed percent-encoding.", undefined, "malformed_url"));
  }
  if (hasUrlControl(path) || unsafeStrings(req.query, hasUrlControl).length > 0) {
    return next(new UnsafeInputError("The address contains a control character (such as a NUL byte), which Gatehouse does not accept."));
  }
  next();
}

/**
 * Refuses a parsed body (form or JSON) that holds a forbidden control character in any key or
 * value; `fields` names each top-level field that does. Runs right after every body parser
 * (src/http/body-parsers.ts), so a handler only ever sees clean text.
 */
export function rejectUnsafeBody(req: Request, _res: Response, next: NextFunction) {
  const bad = unsafeStrings(req.body, hasBodyControl);
  if (bad.length === 0) return next();
  const fields: FieldErrors = {};
  // A field whose very name is unsafe is reported as the body, so the name is never echoed.
  for (const key of bad) fields[hasBodyControl(key) ? "_body" : key] = FIELD_MESSAGE;
  next(new UnsafeInputError("The request contains a control character (such as a NUL byte), which Gatehouse does not accept. Remove it and try again.", fields));
}

/**
 * The top-level keys of `root` under which some key or string value fails `isUnsafe` ("" when
 * `root` itself is such a string). Walks with an explicit stack: a deeply nested JSON body must
 * not overflow the call stack.
 */
function unsafeStrings(root: unknown, isUnsafe: (s: string) => boolean): string[] {
  if (typeof root === "string") return isUnsafe(root) ? [""] : [];
  if (root === null || typeof root !== "object") return [];
  const found = new Set<string>();
  for (const [key, value] of Object.entries(root)) {
    if (isUnsafe(key)) {
      found.add(key);
      continue;
    }
    const stack: unknown[] = [value];
    while (stack.length > 0) {
      const item = stack.pop();
      if (typeof item === "string") {
        if (isUnsafe(item)) { found.add(key); break; }
      } else if (item !== null && typeof item === "object") {
        for (const [k, v] of Object.entries(item)) {
          if (isUnsafe(k)) { found.add(key); stack.length = 0; break; }
          stack.push(v);
        }
      }
    }
  }
  return [...found];
}
