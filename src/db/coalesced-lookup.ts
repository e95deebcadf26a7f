import { queryPrepared } from "./knex";

/** The most keys one statement asks for; a busier turn of the event loop sends several. */
const MAX_KEYS_PER_STATEMENT = 100;

type Row = unknown[];
type Key = string | number | Buffer;

interface Waiter {
  resolve(rows: Row[]): void;
  reject(error: unknown): void;
}

/**
 * A read by key, sent on nearly every request (the session and its user, the bearer token and its
 * owner, the profile page's pictures), that asks for the keys of all lookups made in the same turn
 * of the event loop in one prepared statement, `… WHERE key = ANY($1)`, instead of one statement
 * each.
 *
 * Why: under load the app's main thread is the bottleneck, and on it the socket write that sends a
 * statement to PostgreSQL was the largest single cost of a signed-in page or an API request (a
 * fifth of the main thread's time in a CPU profile, more than rendering). Node reads every request
 * that arrived while it was busy in one turn, and each of them reaches its lookups within that
 * turn, so under load one write, one round trip and one result serve many requests, and PostgreSQL
 * runs one statement for them. With one request in flight the statement carries one key and leaves
 * at the end of the same turn (setImmediate), so a quiet server is not slowed.
 *
 * Each request still reads the database after it arrived: a statement is sent only after every key
 * in it was asked for, and a key asked for later goes into the next statement, never onto one
 * already sent. So a session ended or a token revoked before a request arrived is refused to that
 * request, in every process, exactly as with one statement per request.
 *
 * `text` takes the keys as an array in $1 and returns each row's key in column `keyAt`; a key's
 * rows keep the statement's order. `idOf` turns a key, as given or as a row holds it (a bytea
 * comes back as a Buffer, a bigint as a number), into the string it is matched by. A failed
 * statement fails every lookup in it, as each would have failed alone.
 */
export class CoalescedLookup<K extends Key> {
  private batch: Map<string, { key: K; waiters: Waiter[] }> | undefined;

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly keyAt: number,
    private readonly idOf: (key: K) => string = String,
  ) {}

  /** The rows with this key, none when there are none. */
  rowsFor(key: K): Promise<Row[]> {
    return new Promise((resolve, reject) => {
      let batch = this.batch;
      if (!batch) {
        const opened = (batch = this.batch = new Map());
        setImmediate(() => this.send(opened));
      }
      const id = this.idOf(key);
      const entry = batch.get(id);
      if (entry) entry.waiters.push({ resolve, reject });
      else batch.set(id, { key, waiters: [{ resolve, reject }] });
      if (batch.size >= MAX_KEYS_PER_STATEMENT) this.close(batch);
    });
  }

  /** No more keys join this batch; the next lookup opens a new one. */
  private close(batch: Map<string, unknown>): void {
    if (this.batch === batch) this.batch = undefined;
  }

  private send(batch: Map<string, { key: K; waiters: Waiter[] }>): void {
    this.close(batch);
    const keys = [...batch.values()].map((entry) => entry.key);
    queryPrepared(this.name, this.text, [keys]).then(
      (rows) => {
        const byId = new Map<string, Row[]>();
        for (const row of rows) {
          const id = this.idOf(row[this.keyAt] as K);
          const found = byId.get(id);
          if (found) found.push(row);
          else byId.set(id, [row]);
        }
        for (const [id, entry] of batch) for (const waiter of entry.waiters) waiter.resolve(byId.get(id) ?? []);
      },
      (error: unknown) => {
        for (const entry of batch.values()) for (const waiter of entry.waiters) waiter.reject(error);
      },
    );
  }
}
