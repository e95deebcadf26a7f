import type { Logger } from "./logger";

/**
 * Runs `job` now and then every `intervalMs` in this process; returns a function that stops it.
 * A failed run is logged with `failure` and the next one tries again; the timer does not keep the
 * process alive. Several processes may run the same job: each job is written to be safe that way.
 */
export function runPeriodically(intervalMs: number, logger: Logger, failure: string, job: () => Promise<void>): () => void {
  const run = () => job().catch((err: unknown) => logger.warn({ err }, failure));
  void run();
  const timer = setInterval(run, intervalMs).unref();
  return () => clearInterval(timer);
}
