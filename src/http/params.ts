import { notFound } from "../lib/errors";

/**
 * The one id parser for route parameters (`:id`, `:team`, `:user`, ...): a positive integer
 * written plainly, or a 404. Anything else cannot name a record, and answering it like an
 * unknown id means ids are never guessed into other errors.
 */
export function idParam(value: unknown, what = "Page"): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0 || String(n) !== String(value)) throw notFound(what);
  return n;
}
