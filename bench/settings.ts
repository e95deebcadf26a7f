/**
 * The bench's own knobs, read from the environment once. They shape the load and the data only;
 * the app under test reads its configuration through src/config.ts like in production.
 */
export interface BenchSettings {
  /** Seconds of load per measured round. */
  seconds: number;
  /** Measured rounds per scenario; the median is reported. */
  rounds: number;
  /** Seconds of load before the rounds, not measured (JIT, pools, plan caches, last-seen writes). */
  warmupSeconds: number;
  /** Concurrent connections of the main load. */
  connections: number;
  /** Connections of the light /healthz probe that runs beside the sign-ins. */
  probeConnections: number;
  /** How many sessions, tokens and accounts the load rotates over. */
  identities: number;
  /** Fraction of the full scale data (1M users, 5M sessions, 1M tokens); 0 skips the scale phase. */
  scale: number;
}

function numberFrom(name: string, fallback: number, check: (n: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`${name}=${raw} is not a valid value`);
  return n;
}

const positiveInt = (n: number) => Number.isInteger(n) && n > 0;

/** Reads BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS and BENCH_SCALE, with their defaults. */
export function readBenchSettings(): BenchSettings {
  const seconds = numberFrom("BENCH_SECONDS", 10, positiveInt);
  return {
    seconds,
    rounds: numberFrom("BENCH_ROUNDS", 3, positiveInt),
    warmupSeconds: Math.min(3, seconds),
    connections: numberFrom("BENCH_CONNECTIONS", 50, positiveInt),
    probeConnections: 5,
    identities: 1000,
    scale: numberFrom("BENCH_SCALE", 1, (n) => n >= 0 && n <= 1),
  };
}
