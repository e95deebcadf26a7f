import type { Knex } from "knex";
import { addApiRequestCounts, deleteApiRequestCountsBefore } from "../db/api-request-counts";

/**
 * A fixed-window request limit that costs no database write per request, for the API's per-token
 * limit (a busy token may make hundreds of requests a minute; a write each would be the API's
 * largest cost).
 *
 * Each process counts requests in memory and, at most once a second, adds the counts of all keys to
 * api_request_counts in one statement whose RETURNING gives every key's total across all processes.
 * A request is admitted when the last total this process learned for the key, plus what it has
 * counted since, is below the limit; the decision itself touches no database.
 *
 * Tolerance, stated because it is the price of that: within one process the limit is exact. With
 * N processes a token can exceed its limit by what the other processes admitted for it that this
 * process had not yet learned. While a token is busy on every process that is what they admitted in
 * about the last second (one flush interval plus a round trip); a process that has not seen the
 * token for a while starts from the last total it learned, so the hard ceiling is N × limit per
 * window, since no process admits more than the limit on its own.
 *
 * Windows follow each process's clock (keep the clocks in sync); ended windows are deleted once per
 * window by each process, keeping the previous one for processes whose clock runs a little behind.
 */

interface Counter {
  /** The key's total in the table as of this process's last flush (this process's own counts included). */
  known: number;
  /** Admitted here and not yet sent. */
  pending: number;
  /** Sent in the flush that is running, not yet part of `known`. */
  sending: number;
}

/** Options of a BatchedRateLimiter. */
export interface BatchedRateLimiterOptions {
  knex: Knex;
  /** Requests admitted per key and window. */
  limit: number;
  windowSeconds: number;
  /** The longest a count waits in memory before it is sent. */
  flushIntervalMs?: number;
  /** The clock that places requests in windows (tests move it). */
  now?: () => number;
}

/** Admits or refuses requests per key against a limit shared through PostgreSQL (see the module comment). */
export class BatchedRateLimiter {
  private readonly limit: number;
  private readonly knex: Knex;
  private readonly windowMs: number;
  private readonly flushIntervalMs: number;
  private readonly now: () => number;
  /** Window start (ms) -> key -> counter; only the current window is kept once a flush has run. */
  private readonly windows = new Map<number, Map<string, Counter>>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private prunedWindow: number;
  private closed = false;

  constructor(opts: BatchedRateLimiterOptions) {
    this.knex = opts.knex;
    this.limit = opts.limit;
    this.windowMs = opts.windowSeconds * 1000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.now = opts.now ?? Date.now;
    // The first window is left alone: whatever ended before it is pruned when the window turns.
    this.prunedWindow = this.windowStart(this.now());
  }

  /**
   * Counts one request for `key` and returns undefined, or, when the key has used its limit in the
   * current window, counts nothing and returns the seconds until the window ends.
   */
  consume(key: string): number | undefined {
    const now = this.now();
    const start = this.windowStart(now);
    let counters = this.windows.get(start);
    if (!counters) this.windows.set(start, (counters = new Map()));
    let counter = counters.get(key);
    if (!counter) counters.set(key, (counter = { known: 0, pending: 0, sending: 0 }));
    if (counter.known + counter.sending + counter.pending >= this.limit) return Math.max(1, Math.ceil((start + this.windowMs - now) / 1000));
    counter.pending++;
    this.dirty = true;
    this.schedule();
    return undefined;
  }

  /**
   * Sends every pending count now (after a flush already running) and learns the totals. A failed
   * flush keeps its counts for the next one and rejects.
   */
  async flush(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.running = this.send();
    try {
      await this.running;
    } finally {
      this.running = undefined;
      if (this.dirty) this.schedule();
    }
  }

  /** Stops the timer and sends what is still pending (on app close). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private windowStart(ms: number): number {
    return Math.floor(ms / this.windowMs) * this.windowMs;
  }

  private schedule() {
    if (this.timer || this.running || this.closed) return;
    // A failed timed flush is retried by the next one: its counts went back to pending, and a
    // database that is down fails the requests' own token lookups loudly anyway.
    this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.flushIntervalMs);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    const current = this.windowStart(this.now());
    // A window that has ended limits nothing any more: its counters are dropped, not sent.
    for (const start of this.windows.keys()) if (start < current) this.windows.delete(start);
    const counters = this.windows.get(current);
    const batch: { key: string; counter: Counter }[] = [];
    for (const [key, counter] of counters ?? []) {
      if (counter.pending === 0) continue;
      counter.sending = counter.pending;
      counter.pending = 0;
      batch.push({ key, counter });
    }
    this.dirty = false;
    if (batch.length === 0) return;
    try {
      const windowStart = new Date(current);
      const totals = await addApiRequestCounts(batch.map(({ key, counter }) => ({ key, windowStart, count: counter.sending })), this.knex);
      const byKey = new Map(totals.map((t) => [t.key, t.total]));
      for (const { key, counter } of batch) counter.known = byKey.get(key) ?? counter.known + counter.sending;
    } catch (err) {
      for (const { counter } of batch) counter.pending += counter.sending;
      this.dirty = true;
      throw err;
    } finally {
      for (const { counter } of batch) counter.sending = 0;
    }
    if (current > this.prunedWindow) {
      await deleteApiRequestCountsBefore(new Date(current - this.windowMs), this.knex);
      this.prunedWindow = current;
    }
  }
}
