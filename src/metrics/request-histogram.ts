/**
 * The request-latency histogram, recorded without prom-client on the request path: prom-client's
 * Histogram#observe validates the labels, builds a hash string and a closure, and keys its buckets
 * by the bound as an object property, about 2.5 µs per request on the development machine. Here a
 * request costs three Map lookups (route, method, status; allocation-free once a series exists), a
 * scan of eleven bounds and three increments. prom-client still renders it: the registry asks a
 * metric only for `get()`, which builds the samples at scrape time in prom-client's own shape.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Series {
  /** Observations per bucket, not cumulative; the last slot is above every bound (+Inf). */
  counts: Float64Array;
  sum: number;
  count: number;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export class RequestHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Map<string, Map<number, Series>>>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** One request: its method, route pattern, status and duration in seconds. */
  observe(method: string, route: string, status: number, seconds: number) {
    let byMethod = this.series.get(route);
    if (!byMethod) this.series.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let s = byStatus.get(status);
    if (!s) byStatus.set(status, (s = { counts: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0 }));
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
    s.counts[i] += 1;
    s.sum += seconds;
    s.count += 1;
  }

  /** The samples as prom-client's registry renders them: cumulative buckets, then _sum and _count. */
  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const values: Sample[] = [];
    for (const [route, byMethod] of this.series) {
      for (const [method, byStatus] of byMethod) {
        for (const [status, s] of byStatus) {
          const labels = { method, route, status };
          let cumulative = 0;
          for (let i = 0; i <= BUCKETS.length; i++) {
            cumulative += s.counts[i];
            values.push({ labels: { ...labels, le: i < BUCKETS.length ? BUCKETS[i] : "+Inf" }, value: cumulative, metricName: `${this.name}_bucket` });
          }
          values.push({ labels, value: s.sum, metricName: `${this.name}_sum` });
          values.push({ labels, value: s.count, metricName: `${this.name}_count` });
        }
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
