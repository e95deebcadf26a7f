import type { AppFigures, Baselines, HealthzFigures } from "./phases";
import { atLeast, summaryLine, under, type ReportRow } from "./report";
import type { Measured } from "./scenarios";
import type { BenchSettings } from "./settings";

/** The goals the figures are held to. */
const GOALS = { signedIn: 0.4, api: 0.6, signIn: 0.95, healthzP99Ms: 20, peakRssMb: 200, scale: 0.9 };

const ratio = (a: Measured, b: Measured) => (b.summary.perSecond === 0 ? 0 : a.summary.perSecond / b.summary.perSecond);

function row(label: string, unit: string, m: Measured, extra: Partial<ReportRow> = {}): ReportRow {
  return { label, unit, summary: m.summary, statementsPerOp: m.statementsPerOp, cpuMsPerOp: m.cpuMsPerOp, peakRss: m.peakRss, ...extra };
}

function compared(m: Measured, base: Measured, of: string, goal: number): Partial<ReportRow> {
  const value = ratio(m, base);
  return { ratio: { value, of }, goal: atLeast(value, goal) };
}

/** Everything measured, as table rows, the overall peak memory line and the summary line. */
export function buildResults(settings: BenchSettings, input: { baselines: Baselines; pageBytes: number; small: AppFigures; healthz: HealthzFigures; scaled?: AppFigures }) {
  const { baselines, small, healthz, scaled } = input;
  const argon4 = baselines.argon2[4];
  const p99Rest = Math.max(healthz.atRest.summary.p99Ms, 0.001);
  const rows: ReportRow[] = [
    row(`bare Express 5 + EJS page (${baselines.bareBytes} B; app's ${input.pageBytes} B)`, "req/s", baselines.bare),
    ...([1, 2, 4] as const).map((p) => row(`argon2id verify, ${p} in parallel`, "verifies/s", baselines.argon2[p])),
    row("signed-in GET /settings/profile", "req/s", small.signedIn, compared(small.signedIn, baselines.bare, "bare page", GOALS.signedIn)),
    row("bearer GET /api/v1/user", "req/s", small.api, compared(small.api, baselines.bare, "bare page", GOALS.api)),
    row("password sign-in (GET + POST /login)", "sign-ins/s", small.signIns, compared(small.signIns, argon4, "argon2@4", GOALS.signIn)),
    row(`GET /healthz at rest (${settings.probeConnections} conns)`, "req/s", healthz.atRest),
    row(`GET /healthz beside sign-ins (${settings.probeConnections} conns)`, "req/s", healthz.besideSignIns, {
      ratio: { value: healthz.besideSignIns.summary.p99Ms / p99Rest, of: "p99 at rest" },
      goal: under(healthz.besideSignIns.summary.p99Ms, GOALS.healthzP99Ms, "p99", "ms"),
    }),
  ];
  let scale: [number, number, number] | undefined;
  if (scaled) {
    scale = [ratio(scaled.signedIn, small.signedIn), ratio(scaled.api, small.api), ratio(scaled.signIns, small.signIns)];
    rows.push(
      row("at scale: signed-in GET /settings/profile", "req/s", scaled.signedIn, compared(scaled.signedIn, small.signedIn, "small data", GOALS.scale)),
      row("at scale: bearer GET /api/v1/user", "req/s", scaled.api, compared(scaled.api, small.api, "small data", GOALS.scale)),
      row("at scale: password sign-in", "sign-ins/s", scaled.signIns, compared(scaled.signIns, small.signIns, "small data", GOALS.scale)),
    );
  }
  const peaks = rows.map((r) => r.peakRss).filter((n): n is number => n !== undefined);
  const peakRss = peaks.length > 0 ? Math.max(...peaks) : undefined;
  const rssGoal = peakRss === undefined ? undefined : under(peakRss / 1024 / 1024, GOALS.peakRssMb, "peak RSS", "MB");
  const peakLine = `app peak RSS over all scenarios: ${peakRss === undefined ? "unknown (no /proc)" : `${(peakRss / 1024 / 1024).toFixed(0)} MB, ${rssGoal!.text} ${rssGoal!.met ? "ok" : "MISSED"}`}`;
  const summary = summaryLine({
    signedIn: ratio(small.signedIn, baselines.bare),
    api: ratio(small.api, baselines.bare),
    signIn: ratio(small.signIns, argon4),
    healthzP99Ms: healthz.besideSignIns.summary.p99Ms,
    peakRss,
    scale,
  });
  return { rows, peakLine, summary };
}
