/** Messages between the bench's processes. */

/** What one measured round gives back, whoever measured it (autocannon, the argon2 meter). */
export interface LoadResult {
  /** Operations that succeeded: expected responses, completed sign-ins, correct verifications. */
  completed: number;
  /** Successful operations per second of the round. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Anything that did not succeed, counted by kind ("status 302", "errors", "timeouts", ...). */
  failures: Record<string, number>;
}

/** A load for the autocannon process: what to request, how hard and for how long. */
export type LoadSpec = {
  url: string;
  connections: number;
  seconds: number;
} & (
  | { kind: "get"; path: string; rotate?: { header: "cookie" | "authorization"; values: string[] } }
  | { kind: "sign-in"; logins: string[]; password: string }
);

/** What the app process reports about itself (bench/app-server.ts). */
export interface AppStats {
  /** Statements sent to PostgreSQL since start. */
  statements: number;
  /** CPU time the app process used since start (user and system, every thread: argon2's too), in microseconds. */
  cpuMicros: number;
  /** Requests received and not yet answered or abandoned. */
  inFlight: number;
  /** Finished responses by "METHOD path status", e.g. "POST /login 302". */
  responses: Record<string, number>;
}
