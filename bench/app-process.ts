import { BenchChild } from "./child";
import { APP_SERVER_JS } from "./compiled-app-server";
import { freePort } from "../test/helpers/free-port";
import type { BenchIdentities } from "./seed-identities";

/** The app under test and where it listens. */
export interface RunningApp {
  child: BenchChild;
  url: string;
}

/** As many attempts as anyone could make during a bench: the limits' cost is measured, not their refusals. */
const UNLIMITED = String(1_000_000_000);

/**
 * Starts bench/app-server.ts, compiled to JavaScript, with a production configuration. No mail is sent during a bench (no
 * mail worker runs); SMTP_URL is set only because production refuses to start without it. Request
 * logging is off (LOG_LEVEL=warn): the bench measures the app, not a log pipe.
 */
export async function startApp(databaseUrl: string, sessionSecret: string): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await BenchChild.start(APP_SERVER_JS, {
    NODE_ENV: "production",
    PORT: String(port),
    BASE_URL: url,
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: sessionSecret,
    SMTP_URL: "smtp://127.0.0.1:25",
    LOG_LEVEL: "warn",
    RATE_LIMIT_LOGIN_PER_IP: UNLIMITED,
    RATE_LIMIT_LOGIN_PER_ACCOUNT: UNLIMITED,
    RATE_LIMIT_API_PER_TOKEN: UNLIMITED,
    // As `npm start` and the Dockerfile run it: one malloc arena, a 1 GB heap limit and 8 MiB
    // young-generation semi-spaces (README.md, beside the thread-pool sizing).
    MALLOC_ARENA_MAX: "1",
    NODE_OPTIONS: "--max-old-space-size=1024 --max-semi-space-size=8",
  });
  return { child, url };
}

/**
 * Checks that a seeded session opens the settings page and a seeded token the API, before any load
 * is spent on them, and returns the page's size in bytes (the bare baseline matches it).
 */
export async function checkApp(app: RunningApp, identities: BenchIdentities): Promise<number> {
  const page = await fetch(`${app.url}/settings/profile`, { headers: { cookie: identities.cookies[0]! }, redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('action="/settings/profile"')) {
    throw new Error(
      `A seeded session did not open /settings/profile (status ${page.status}${page.headers.get("location") ? ` to ${page.headers.get("location")}` : ""}). ` +
        "The bench writes signed-in sessions straight into the sessions table; does the app's session store read that table?",
    );
  }
  const api = await fetch(`${app.url}/api/v1/user`, { headers: { authorization: `Bearer ${identities.tokens[0]}` } });
  if (api.status !== 200) throw new Error(`A seeded token did not open /api/v1/user (status ${api.status}): ${await api.text()}`);
  return Buffer.byteLength(html);
}
