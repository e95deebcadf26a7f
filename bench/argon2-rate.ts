import { performance } from "node:perf_hooks";
import { hashPassword, verifyPassword } from "../src/auth/passwords";
import { announceReady, serveParent } from "./child";
import { percentile } from "./percentiles";
import type { LoadResult } from "./messages";

/**
 * The argon2 baseline, in its own process: raw argon2id verifications per second with `parallel`
 * of them in flight, through the app's own hashPassword/verifyPassword, so the parameters are the
 * app's and nobody keeps a second copy of them. Each message { parallel, seconds } is one round.
 */
const PASSWORD = "correct horse battery staple";

async function measure(hash: string, parallel: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const start = performance.now();
  const until = start + seconds * 1000;
  let wrong = 0;
  async function worker() {
    while (performance.now() < until) {
      const t = performance.now();
      if (!(await verifyPassword(hash, PASSWORD))) wrong++;
      latencies.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  const elapsed = (performance.now() - start) / 1000;
  return {
    completed: latencies.length,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failures: wrong === 0 ? {} : { "wrong password": wrong },
  };
}

async function main() {
  const hash = await hashPassword(PASSWORD);
  serveParent(async (message) => {
    const { parallel, seconds } = message as { parallel: number; seconds: number };
    return measure(hash, parallel, seconds);
  });
  announceReady();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
