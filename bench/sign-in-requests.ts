import { performance } from "node:perf_hooks";
import type autocannon from "autocannon";

/**
 * A password sign-in as a browser without JavaScript does it, driven by autocannon's request
 * sequence: GET /login with no cookie (a fresh pre-session each time), then POST /login with the
 * login, the password, the form's `_csrf` value and every cookie the GET set. It assumes nothing
 * about how CSRF works (a session-bound token, a signed double-submit cookie, both): whatever
 * cookies the page sets go back, and the hidden field is read from the HTML. A sign-in counts when
 * the POST answers 302 to "/".
 */
export interface SignInTally {
  completed: number;
  /** Milliseconds from the GET being sent to the POST's answer, for each completed sign-in. */
  latencies: number[];
  failures: Record<string, number>;
}

interface SignInContext {
  startedAt?: number;
  login?: string;
  cookie?: string;
  csrf?: string;
}

const CSRF_FIELD = /name="_csrf" value="([^"]*)"/;

/** The value as EJS escaped it back to the text (EJS escapes & < > " '). */
function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|#34|#39|quot);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", "#34": '"', "#39": "'", quot: '"' })[e]!);
}

function header(headers: autocannon.Request["headers"], name: string): string[] {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name);
  if (!entry || entry[1] === undefined) return [];
  return Array.isArray(entry[1]) ? entry[1] : [String(entry[1])];
}

/** The Cookie header a browser would send back after these Set-Cookie lines (name=value pairs only). */
function cookieHeaderFrom(setCookies: string[]): string {
  return setCookies.map((line) => line.split(";")[0]!.trim()).filter((pair) => pair.includes("=")).join("; ");
}

/** The request pair and the tally it fills in as responses arrive. */
export function signInRequests(logins: string[], password: string): { requests: autocannon.Request[]; tally: SignInTally } {
  const tally: SignInTally = { completed: 0, latencies: [], failures: {} };
  const fail = (kind: string) => (tally.failures[kind] = (tally.failures[kind] ?? 0) + 1);
  let next = 0;
  const requests: autocannon.Request[] = [
    {
      method: "GET",
      path: "/login",
      setupRequest: (req, context) => {
        const ctx = context as SignInContext;
        ctx.startedAt = performance.now();
        ctx.login = logins[next++ % logins.length];
        return req;
      },
      onResponse: (status, body, context, headers) => {
        const ctx = context as SignInContext;
        if (status !== 200) return void fail(`GET /login ${status}`);
        const token = body.match(CSRF_FIELD)?.[1];
        if (token === undefined) return void fail("GET /login without a _csrf field");
        ctx.csrf = unescapeHtml(token);
        ctx.cookie = cookieHeaderFrom(header(headers, "set-cookie"));
      },
    },
    {
      method: "POST",
      path: "/login",
      setupRequest: (req, context) => {
        const ctx = context as SignInContext;
        // Without a form token the GET failed (already counted): start over with a new GET.
        if (ctx.csrf === undefined) return null as unknown as autocannon.Request;
        const headers: Record<string, string> = { ...(req.headers as Record<string, string>), "content-type": "application/x-www-form-urlencoded" };
        if (ctx.cookie) headers.cookie = ctx.cookie;
        req.headers = headers;
        req.body = new URLSearchParams({ login: ctx.login!, password, _csrf: ctx.csrf }).toString();
        return req;
      },
      onResponse: (status, _body, context, headers) => {
        const ctx = context as SignInContext;
        const location = header(headers, "location")[0];
        if (status === 302 && location === "/") {
          tally.completed++;
          tally.latencies.push(performance.now() - ctx.startedAt!);
        } else {
          fail(`POST /login ${status}${location ? ` to ${location}` : ""}`);
        }
      },
    },
  ];
  return { requests, tally };
}
