import type { Summary } from "./rounds";

/** One line of the results table. */
export interface ReportRow {
  label: string;
  summary: Summary;
  /** What one operation is: "req/s", "sign-ins/s", "verifies/s". */
  unit: string;
  /** How this row compares to its baseline, e.g. { value: 0.45, of: "bare page" }; none for baselines. */
  ratio?: { value: number; of: string };
  /** The target next to the figure, e.g. ">= 0.40x", and whether this run met it. */
  goal?: { text: string; met: boolean };
  /** SQL statements the app sent per successful operation. */
  statementsPerOp?: number;
  /** The app process's CPU milliseconds (every thread) per successful operation. */
  cpuMsPerOp?: number;
  /** The app's peak resident memory during the scenario, in bytes. */
  peakRss?: number;
}

/** A goal that a ratio is at least `min`. */
export function atLeast(value: number, min: number): { text: string; met: boolean } {
  return { text: `goal >= ${min.toFixed(2)}x`, met: value >= min };
}

/** A goal that a figure stays under `max` of `unit`. */
export function under(value: number, max: number, what: string, unit: string): { text: string; met: boolean } {
  return { text: `goal ${what} < ${max} ${unit}`, met: value < max };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const rate = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));

function cells(row: ReportRow): string[] {
  const goal = row.goal ? `${row.goal.text} ${row.goal.met ? "ok" : "MISSED"}` : "";
  return [
    row.label,
    `${rate(row.summary.perSecond)} ${row.unit}`,
    ms(row.summary.p50Ms),
    ms(row.summary.p99Ms),
    row.ratio ? `${row.ratio.value.toFixed(2)}x ${row.ratio.of}` : "baseline",
    goal,
    row.statementsPerOp === undefined ? "" : row.statementsPerOp.toFixed(1),
    row.cpuMsPerOp === undefined ? "" : row.cpuMsPerOp.toFixed(2),
    row.peakRss === undefined ? "" : mb(row.peakRss),
  ];
}

/** The results as an aligned text table, then every failure seen, one line each. */
export function formatTable(rows: ReportRow[]): string {
  const header = ["scenario", "rate (median)", "p50 ms", "p99 ms", "ratio", "goal", "SQL/op", "CPU ms/op", "peak RSS"];
  const table = [header, ...rows.map(cells)];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const right = new Set([1, 2, 3, 6, 7, 8]);
  const lines = table.map((r) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) {
    const failures = Object.entries(row.summary.failures);
    if (failures.length === 0) continue;
    lines.push(`! ${row.label}: ${failures.map(([kind, n]) => `${n} x ${kind}`).join(", ")} (over ${row.summary.rounds} rounds, ${row.summary.completed} succeeded)`);
  }
  return lines.join("\n");
}

/** The one-line verdict printed last. */
export function summaryLine(parts: {
  signedIn: number;
  api: number;
  signIn: number;
  healthzP99Ms: number;
  peakRss: number | undefined;
  scale?: [number, number, number];
}): string {
  const pieces = [
    `signed-in ${parts.signedIn.toFixed(2)}x bare`,
    `api ${parts.api.toFixed(2)}x bare`,
    `sign-in ${parts.signIn.toFixed(2)}x argon2@4`,
    `healthz p99 ${ms(parts.healthzP99Ms)} ms under sign-ins`,
    `peak RSS ${parts.peakRss === undefined ? "unknown" : mb(parts.peakRss)}`,
    parts.scale ? `scale ${parts.scale.map((r) => `${r.toFixed(2)}x`).join("/")}` : "scale skipped",
  ];
  return `bench: ${pieces.join(", ")}`;
}
