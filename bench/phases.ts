import { checkApp, startApp, type RunningApp } from "./app-process";
import { cookiesAfterFirstVisit } from "./browser-cookies";
import { BenchChild } from "./child";
import { freePort } from "../test/helpers/free-port";
import { peakRss } from "./memory";
import {
  measureApi, measureArgon2, measureGet, measureHealthzAtRest, measureHealthzBesideSignIns, measureSignedIn, measureSignIns, type LoadChildren, type Measured,
} from "./scenarios";
import type { BenchIdentities } from "./seed-identities";
import type { BenchSettings } from "./settings";

/** The baselines: argon2id at 1, 2 and 4 in parallel, and the bare page. */
export interface Baselines {
  argon2: Record<1 | 2 | 4, Measured>;
  bare: Measured;
  bareBytes: number;
}

/** The app scenarios measured on both small data and at scale. */
export interface AppFigures {
  signedIn: Measured;
  api: Measured;
  signIns: Measured;
}

/** The /healthz probe, at rest and beside saturating sign-ins. */
export interface HealthzFigures {
  atRest: Measured;
  besideSignIns: Measured;
}

const log = (line: string) => console.log(line);

/**
 * Measures the baselines, each server or meter in a process of its own, stopped afterwards. The
 * bare page is requested with the same rotating session cookies as the signed-in page (it ignores
 * them), so both loads cost the generator and the network the same per request.
 */
export async function measureBaselines(settings: BenchSettings, loads: LoadChildren, pageBytes: number, identities: BenchIdentities): Promise<Baselines> {
  log("baseline: argon2id verifications at the app's parameters");
  const meter = await BenchChild.start("argon2-rate.ts", {});
  let argon2: Baselines["argon2"];
  try {
    argon2 = { 1: await measureArgon2(settings, meter, 1), 2: await measureArgon2(settings, meter, 2), 4: await measureArgon2(settings, meter, 4) };
  } finally {
    await meter.stop();
  }
  log(`baseline: bare Express + EJS page of about ${pageBytes} bytes`);
  const port = await freePort();
  const bare = await BenchChild.start("baseline-server.ts", { NODE_ENV: "production", PORT: String(port), BENCH_PAGE_BYTES: String(pageBytes) });
  try {
    const { bytes } = await bare.ask<{ bytes: number }>({ type: "size" }, 30);
    return { argon2, bare: await measureGet(settings, loads.main, { url: `http://127.0.0.1:${port}` }, "/", { rotate: { header: "cookie", values: identities.cookies } }), bareBytes: bytes };
  } finally {
    await bare.stop();
  }
}

/**
 * Starts the app, checks the seeded identities work, gives each seeded session the cookies its first
 * page set (as a browser keeps them), runs `work`, and stops the app.
 */
export async function withApp<T>(databaseUrl: string, secret: string, identities: BenchIdentities, work: (app: RunningApp, pageBytes: number) => Promise<T>): Promise<T> {
  const app = await startApp(databaseUrl, secret);
  try {
    const pageBytes = await checkApp(app, identities);
    identities.cookies = await cookiesAfterFirstVisit(app.url, "/settings/profile", identities.cookies);
    const rss = peakRss(app.child.pid);
    if (rss !== undefined) log(`  app started (pid ${app.child.pid}), ${(rss / 1024 / 1024).toFixed(0)} MB resident after start-up and one page`);
    return await work(app, pageBytes);
  } finally {
    await app.child.stop();
  }
}

/** The signed-in page, the API and sign-ins, in that order (sign-ins add rows; the others read). */
export async function measureAppScenarios(settings: BenchSettings, loads: LoadChildren, app: RunningApp, identities: BenchIdentities): Promise<AppFigures> {
  log("  signed-in GET /settings/profile");
  const signedIn = await measureSignedIn(settings, loads, app, identities);
  log("  bearer GET /api/v1/user");
  const api = await measureApi(settings, loads, app, identities);
  log("  password sign-ins");
  const signIns = await measureSignIns(settings, loads, app, identities);
  return { signedIn, api, signIns };
}

/** /healthz at rest, then beside sign-ins that keep every argon2 thread busy. */
export async function measureHealthz(settings: BenchSettings, loads: LoadChildren, app: RunningApp, identities: BenchIdentities): Promise<HealthzFigures> {
  log("  GET /healthz at rest, then beside sign-ins");
  const atRest = await measureHealthzAtRest(settings, loads, app);
  return { atRest, besideSignIns: await measureHealthzBesideSignIns(settings, loads, app, identities) };
}
