import pg from "pg";

let statements = 0;

/**
 * Counts every statement the process sends to PostgreSQL, by wrapping pg's Client#query: Knex, the
 * session store and the rate limiter all go through it, whichever pool they use, so the count is
 * what the database sees (BEGIN and COMMIT included), not only what passes through Knex.
 */
export function countStatements(): void {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
}

/** Statements sent since countStatements() was called. */
export function statementsSoFar(): number {
  return statements;
}
