import type { RunningApp } from "./app-process";
import type { BenchChild } from "./child";
import type { LoadResult, LoadSpec } from "./messages";
import { runRounds, summarize, type AppUnderLoad, type RoundsOutcome, type Summary } from "./rounds";
import type { BenchIdentities } from "./seed-identities";
import type { BenchSettings } from "./settings";

/** A scenario's figures: the medians, and the app's statements per operation and peak memory. */
export interface Measured {
  summary: Summary;
  statementsPerOp?: number;
  cpuMsPerOp?: number;
  peakRss?: number;
}

/** The two load generators: the main one, and a light probe that can run beside it. */
export interface LoadChildren {
  main: BenchChild;
  probe: BenchChild;
}

/** The response the app gives to one completed sign-in (its GET comes before it). */
const SIGN_IN = "POST /login 302";

/** Generous: a round's load, plus time for the generator to start and report. */
const replySeconds = (seconds: number) => seconds * 2 + 60;

function load(child: BenchChild, spec: LoadSpec): Promise<LoadResult> {
  return child.ask<LoadResult>(spec, replySeconds(spec.seconds));
}

function measured(outcome: RoundsOutcome<LoadResult>): Measured {
  return { summary: summarize(outcome.rounds), statementsPerOp: outcome.statementsPerOp, cpuMsPerOp: outcome.cpuMsPerOp, peakRss: outcome.peakRss };
}

/** Raw argon2id verifications with `parallel` in flight, in the argon2 meter process. */
export async function measureArgon2(settings: BenchSettings, meter: BenchChild, parallel: number): Promise<Measured> {
  return measured(await runRounds(settings, (seconds) => meter.ask<LoadResult>({ parallel, seconds }, replySeconds(seconds))));
}

/** GET `path` of a server (the bare page, /healthz, the app's pages), optionally with rotating headers. */
export async function measureGet(
  settings: BenchSettings,
  loader: BenchChild,
  target: { url: string; app?: BenchChild },
  path: string,
  opts: { connections?: number; rotate?: { header: "cookie" | "authorization"; values: string[] } } = {},
): Promise<Measured> {
  const spec = (seconds: number): LoadSpec => ({ kind: "get", url: target.url, connections: opts.connections ?? settings.connections, seconds, path, rotate: opts.rotate });
  const app: AppUnderLoad | undefined = target.app && { child: target.app, operation: `GET ${path} 200` };
  return measured(await runRounds(settings, (seconds) => load(loader, spec(seconds)), app));
}

/** The signed-in settings page, rotating over the seeded sessions. */
export function measureSignedIn(settings: BenchSettings, loads: LoadChildren, app: RunningApp, identities: BenchIdentities): Promise<Measured> {
  return measureGet(settings, loads.main, { url: app.url, app: app.child }, "/settings/profile", { rotate: { header: "cookie", values: identities.cookies } });
}

/** The bearer API, rotating over the seeded personal access tokens. */
export function measureApi(settings: BenchSettings, loads: LoadChildren, app: RunningApp, identities: BenchIdentities): Promise<Measured> {
  const values = identities.tokens.map((t) => `Bearer ${t}`);
  return measureGet(settings, loads.main, { url: app.url, app: app.child }, "/api/v1/user", { rotate: { header: "authorization", values } });
}

/** /healthz through the light probe, on an app with nothing else to do. */
export function measureHealthzAtRest(settings: BenchSettings, loads: LoadChildren, app: RunningApp): Promise<Measured> {
  return measureGet(settings, loads.probe, { url: app.url, app: app.child }, "/healthz", { connections: settings.probeConnections });
}

function signInSpec(settings: BenchSettings, app: RunningApp, identities: BenchIdentities, seconds: number): LoadSpec {
  return { kind: "sign-in", url: app.url, connections: settings.connections, seconds, logins: identities.logins, password: identities.password };
}

/** Password sign-ins, each GET /login + POST /login with its own fresh pre-session. */
export async function measureSignIns(settings: BenchSettings, loads: LoadChildren, app: RunningApp, identities: BenchIdentities): Promise<Measured> {
  const outcome = await runRounds(settings, (seconds) => load(loads.main, signInSpec(settings, app, identities, seconds)), { child: app.child, operation: SIGN_IN });
  return measured(outcome);
}

/** /healthz through the light probe while the main load keeps signing in. */
export async function measureHealthzBesideSignIns(settings: BenchSettings, loads: LoadChildren, app: RunningApp, identities: BenchIdentities): Promise<Measured> {
  const healthz = (seconds: number): LoadSpec => ({ kind: "get", url: app.url, connections: settings.probeConnections, seconds, path: "/healthz" });
  const outcome = await runRounds(
    settings,
    async (seconds) => (await Promise.all([load(loads.main, signInSpec(settings, app, identities, seconds)), load(loads.probe, healthz(seconds))]))[1],
    { child: app.child, operation: SIGN_IN },
  );
  // The statements and CPU are the sign-ins' (/healthz sends none and costs little), already shown on the sign-in row.
  return { ...measured(outcome), statementsPerOp: undefined, cpuMsPerOp: undefined };
}
