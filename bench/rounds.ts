import type { BenchChild } from "./child";
import type { AppStats, LoadResult } from "./messages";
import { peakRss, resetPeakRss } from "./memory";
import { median } from "./percentiles";
import type { BenchSettings } from "./settings";

/** What a scenario's measured rounds gave, with the app's side of it when an app was measured. */
export interface RoundsOutcome<T> {
  rounds: T[];
  /** SQL statements per operation the app finished during the measured rounds. */
  statementsPerOp?: number;
  /** The app's CPU milliseconds per operation over the measured rounds. */
  cpuMsPerOp?: number;
  /** The app's peak resident memory during this scenario, warm-up included, in bytes. */
  peakRss?: number;
}

/** The median of each figure over the rounds; counts and failures are summed. */
export interface Summary extends LoadResult {
  rounds: number;
}

/** The app whose side of the rounds is read, and the response ("METHOD path status") that is one operation. */
export interface AppUnderLoad {
  child: BenchChild;
  operation: string;
}

/** How long the app may take to finish the requests left running when a load stops. */
const SETTLE_SECONDS = 60;

function stats(app: BenchChild): Promise<AppStats> {
  return app.ask<AppStats>({ type: "stats" }, 30);
}

/**
 * Waits until the app has no request in flight, so the backlog of one round (queued sign-ins) is
 * neither measured in the next nor left out of the statement count. Gives up, saying so, after
 * SETTLE_SECONDS: a request that never ends is a finding, not a reason to lose the run.
 */
async function settled(app: BenchChild): Promise<AppStats> {
  const deadline = Date.now() + SETTLE_SECONDS * 1000;
  for (;;) {
    const s = await stats(app);
    if (s.inFlight === 0) return s;
    if (Date.now() > deadline) {
      console.warn(`! the app still has ${s.inFlight} requests in flight ${SETTLE_SECONDS} s after the load stopped`);
      return s;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs one warm-up (not measured), then `settings.rounds` measured rounds of `round`, each started
 * on an idle app. With an app, also gives its statements per operation over the measured rounds and
 * its peak memory during the scenario.
 */
export async function runRounds<T>(settings: BenchSettings, round: (seconds: number) => Promise<T>, app?: AppUnderLoad): Promise<RoundsOutcome<T>> {
  if (app) resetPeakRss(app.child.pid);
  await round(settings.warmupSeconds);
  const before = app && (await settled(app.child));
  const rounds: T[] = [];
  for (let i = 0; i < settings.rounds; i++) {
    rounds.push(await round(settings.seconds));
    if (app) await settled(app.child);
  }
  if (!app || !before) return { rounds };
  const after = await stats(app.child);
  const ops = (after.responses[app.operation] ?? 0) - (before.responses[app.operation] ?? 0);
  if (ops === 0) return { rounds, peakRss: peakRss(app.child.pid) };
  return { rounds, statementsPerOp: (after.statements - before.statements) / ops, cpuMsPerOp: (after.cpuMicros - before.cpuMicros) / 1000 / ops, peakRss: peakRss(app.child.pid) };
}

/** Medians of rate and latencies over the rounds; completed operations and failures summed. */
export function summarize(results: LoadResult[]): Summary {
  const failures: Record<string, number> = {};
  for (const r of results) for (const [kind, n] of Object.entries(r.failures)) failures[kind] = (failures[kind] ?? 0) + n;
  return {
    rounds: results.length,
    completed: results.reduce((sum, r) => sum + r.completed, 0),
    perSecond: median(results.map((r) => r.perSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    failures,
  };
}
