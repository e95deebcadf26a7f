import pg from "pg";

type Listener = (sql: string) => void;

const listeners = new Set<Listener>();
let installed = false;

/**
 * Calls `listener` with the text of every statement this process sends to PostgreSQL, until the
 * returned function is called. It watches node-postgres's Client#query, below Knex, so the
 * statements the app sends to node-postgres directly (db/knex.ts queryPrepared: the session and
 * bearer-token reads of every request) are seen along with Knex's: what is counted is what the
 * database receives.
 */
export function watchStatements(listener: Listener): () => void {
  if (!installed) {
    installed = true;
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string } | undefined;
      const text = typeof first === "string" ? first : first?.text;
      if (text !== undefined) for (const l of listeners) l(text.trim());
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The mail worker's polling of its queue, on the same pool in the background, and transaction control. */
const NOT_THE_REQUESTS = /outbound_mails|^(BEGIN|COMMIT|ROLLBACK);?$/i;

/** The statements sent while `fn` runs, leaving out the mail worker's and BEGIN, COMMIT and ROLLBACK. */
export async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const stop = watchStatements((sql) => {
    if (!NOT_THE_REQUESTS.test(sql)) seen.push(sql);
  });
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
}
