import client from "prom-client";
import { db } from "../db/knex";
import { RequestHistogram } from "./request-histogram";

/**
 * Gatehouse's Prometheus metrics, in a registry of its own (served by src/metrics/server.ts on
 * METRICS_PORT). The counters below are plain in-memory increments, cheap enough to keep counting
 * whether or not anyone scrapes; what needs the database (the mail queue) or the pool is read only
 * when scraped. Label values come from the code (route patterns, method names, limit names), never
 * from a request, so no visitor can create new series.
 */
export const registry = new client.Registry();

/**
 * One observation per request (src/metrics/http.ts). Its `_count` series is the request count by
 * route and status, so there is no separate request counter to update on the hot path.
 */
export const httpRequestDuration = new RequestHistogram(
  "gatehouse_http_request_duration_seconds",
  "Time from a request's arrival to the end of its response, by method, route pattern and status",
);
registry.registerMetric(httpRequestDuration as unknown as client.Metric);

export const signIns = new client.Counter({
  name: "gatehouse_sign_ins_total",
  help: "Sign-in attempts by method (password, or the provider's name) and result (success, failure)",
  labelNames: ["method", "result"] as const,
  registers: [registry],
});

export const rateLimitRefusals = new client.Counter({
  name: "gatehouse_rate_limit_refusals_total",
  help: "Requests refused by a rate limit, by limit",
  labelNames: ["limit"] as const,
  registers: [registry],
});

new client.Gauge({
  name: "gatehouse_db_pool_connections",
  help: "Connections of this process's database pool, by state (used, free, pending_acquire: requests waiting for one, pending_create)",
  labelNames: ["state"] as const,
  registers: [registry],
  collect() {
    const pool = db?.client.pool as { numUsed(): number; numFree(): number; numPendingAcquires(): number; numPendingCreates(): number } | undefined;
    if (!pool) return;
    this.set({ state: "used" }, pool.numUsed());
    this.set({ state: "free" }, pool.numFree());
    this.set({ state: "pending_acquire" }, pool.numPendingAcquires());
    this.set({ state: "pending_create" }, pool.numPendingCreates());
  },
});

interface MailQueue {
  depth: number;
  failing: number;
  attempts: number;
  oldest: number;
}

/**
 * The mail queue, read by one query (on the partial index of unsent mail) per scrape: prom-client
 * runs every metric's collect at once, so the gauges below share the read in flight. Undefined
 * when the database did not answer.
 */
let queueRead: Promise<MailQueue | undefined> | undefined;
function readMailQueue(): Promise<MailQueue | undefined> {
  // Started inside then(), so a pool not connected yet (db undefined) is a failed read like any other.
  queueRead ??= Promise.resolve()
    .then(() =>
      db.raw<{ rows: MailQueue[] }>(
        `SELECT count(*)::int AS depth,
                count(*) FILTER (WHERE attempts > 0)::int AS failing,
                coalesce(sum(attempts), 0)::int AS attempts,
                coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
           FROM outbound_mails WHERE sent_at IS NULL`,
      ),
    )
    .then((result) => result.rows[0], () => undefined)
    .finally(() => (queueRead = undefined));
  return queueRead;
}

function mailQueueGauge(name: string, help: string, value: (queue: MailQueue) => number) {
  new client.Gauge({
    name,
    help: `${help}. 0 when the database did not answer the scrape (gatehouse_metrics_database_up 0)`,
    registers: [registry],
    async collect() {
      const queue = await readMailQueue();
      this.set(queue ? value(queue) : 0);
    },
  });
}

new client.Gauge({
  name: "gatehouse_metrics_database_up",
  help: "1 when the scrape's database query (the mail queue) answered, 0 when it failed",
  registers: [registry],
  async collect() {
    this.set((await readMailQueue()) ? 1 : 0);
  },
});
mailQueueGauge("gatehouse_mail_queue_depth", "Mails queued and not yet sent, by every process", (q) => q.depth);
mailQueueGauge("gatehouse_mail_queue_oldest_age_seconds", "Age of the oldest mail not yet sent; 0 when none waits", (q) => Math.max(0, q.oldest));
mailQueueGauge("gatehouse_mail_queue_failing", "Mails not yet sent whose last delivery attempt failed (waiting for a retry)", (q) => q.failing);
mailQueueGauge("gatehouse_mail_delivery_failed_attempts", "Failed delivery attempts of the mails not yet sent, summed", (q) => q.attempts);

let defaultsCollected = false;

/** Adds prom-client's process and Node.js metrics (CPU, memory, event-loop delay), once per process. */
export function collectProcessMetrics() {
  if (defaultsCollected) return;
  defaultsCollected = true;
  client.collectDefaultMetrics({ register: registry });
}
