import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KnexTimeoutError } from "knex";
import { isDatabaseUnavailable } from "../../src/db/unavailable";
import { HttpError } from "../../src/lib/errors";

const withCode = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("isDatabaseUnavailable", () => {
  const table: [string, unknown, boolean][] = [
    ["connection refused", withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"), true],
    ["connection reset", withCode("ECONNRESET", "read ECONNRESET"), true],
    ["connect timed out", withCode("ETIMEDOUT"), true],
    ["broken pipe", withCode("EPIPE"), true],
    ["host name gone (a stopped container)", withCode("ENOTFOUND", "getaddrinfo ENOTFOUND db"), true],
    ["terminated by a fast shutdown", withCode("57P01", "terminating connection due to administrator command"), true],
    ["crash shutdown", withCode("57P02"), true],
    ["starting up or shutting down", withCode("57P03", "the database system is starting up"), true],
    ["connection exception class 08", withCode("08006"), true],
    ["connection closed under a query", new Error("Connection terminated unexpectedly"), true],
    ["Knex prefixes the SQL", new Error('select * from "users" - Connection terminated unexpectedly'), true],
    ["connect timeout", new Error("Connection terminated due to connection timeout"), true],
    ["a client that lost its socket", new Error("ROLLBACK - Client has encountered a connection error and is not queryable"), true],
    ["pool acquire timeout", new KnexTimeoutError("Knex: Timeout acquiring a connection."), true],
    ["every address refused", new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")]), true],
    ["wrapped with a cause", new Error("session store failed", { cause: withCode("ECONNREFUSED") }), true],
    ["unique violation", withCode("23505", "duplicate key value"), false],
    ["missing table", withCode("42P01", 'relation "email_codes" does not exist'), false],
    ["syntax error", withCode("42601"), false],
    ["statement cancelled by the user", withCode("57014"), false],
    ["a named app error", new HttpError(404, "Page not found"), false],
    ["a CSRF error", withCode("EBADCSRFTOKEN"), false],
    ["a plain bug", new TypeError("cannot read properties of undefined"), false],
    ["nothing", undefined, false],
    ["a string", "ECONNREFUSED", false],
  ];
  for (const [what, err, expected] of table) {
    it(`${what}: ${expected ? "unavailable" : "not unavailable"}`, () => {
      assert.equal(isDatabaseUnavailable(err), expected);
    });
  }
});
