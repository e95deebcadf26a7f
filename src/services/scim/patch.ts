import { ScimError } from "../../lib/errors";

/**
 * The shared part of RFC 7644 §3.5.2 PATCH: one operation as identity providers send it. The op
 * is case-insensitive because Entra ID sends "Replace" and "Add"; a path may carry the core
 * schema's URN ("urn:ietf:params:scim:schemas:core:2.0:User:userName"), which is dropped.
 */

/** One PATCH operation: its op lower-cased, its path (if any) and value. */
export interface PatchOp {
  op: "add" | "replace" | "remove";
  path?: string;
  value?: unknown;
}

/** The core schemas' URN prefixes, removed from attribute paths. */
const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;

/** A 400 invalidValue for a value of the wrong kind. */
export const badValue = (what: string) => new ScimError(400, `The value of ${what} is not valid.`, "invalidValue");

/** The path without the core schema URN; extension URNs stay (and are ignored by the callers). */
export function corePath(path: string): string {
  return path.replace(CORE_PREFIX, "");
}

/** The operations of a PATCH body, with ops lower-cased; 400 invalidSyntax for anything else. */
export function patchOps(operations: { op: string; path?: string; value?: unknown }[]): PatchOp[] {
  return operations.map((o) => {
    const op = o.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove") throw new ScimError(400, `Unknown PATCH operation "${o.op}".`, "invalidSyntax");
    if (op === "remove" && !o.path) throw new ScimError(400, "A remove operation needs a path.", "noTarget");
    return { op, path: o.path === undefined ? undefined : corePath(o.path), value: o.value };
  });
}

/** A boolean, also from the strings "True"/"False" that Entra ID has sent for `active`. */
export function booleanValue(value: unknown, what: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw badValue(what);
}

/** A non-empty string of at most `max` characters. */
export function stringValue(value: unknown, what: string, max = 256): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > max) throw badValue(what);
  return value.trim();
}
