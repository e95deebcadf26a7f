import { KnexTimeoutError } from "knex";

/**
 * The one place that decides whether an error means "the database cannot be reached right now"
 * rather than "this request or this code is wrong". The first kind is answered 503 with
 * Retry-After (the next attempt may well work); the second stays a 500, because retrying a bad
 * query, a missing table or a constraint violation would only fail again.
 *
 * Unavailable means one of:
 *   - the socket could not be opened or was cut (the server is down, restarting, or the network or
 *     DNS lost it: docker-compose's resolver forgets a stopped container's name, hence ENOTFOUND);
 *   - node-postgres noticed the connection close under a query, or a connect attempt time out;
 *   - Knex's pool could not hand out a connection within acquireConnectionTimeout;
 *   - PostgreSQL said so itself: SQLSTATE class 08 (connection exception), 57P01 (terminated by an
 *     administrator, e.g. a fast shutdown), 57P02 (crash shutdown), 57P03 (starting up or shutting
 *     down, cannot connect now).
 * Errors are walked through `cause` and AggregateError's `errors` (Node gives one of those when
 * every address of a host refuses), since that is where drivers put the socket error.
 */

const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const SERVER_GONE_CODES = new Set(["57P01", "57P02", "57P03"]);
// node-postgres's own wording: "Connection terminated unexpectedly", "Connection terminated due to
// connection timeout", and what a client that already lost its socket answers to the next query.
const DRIVER_MESSAGES = ["Connection terminated", "Client has encountered a connection error and is not queryable"];

/** True when `err` (or what caused it) says the database is unreachable, not that the request was wrong. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 5) return false;
  if (err instanceof KnexTimeoutError) return true;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string") {
    if (SOCKET_CODES.has(e.code) || SERVER_GONE_CODES.has(e.code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  if (typeof e.message === "string" && DRIVER_MESSAGES.some((m) => (e.message as string).includes(m))) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
