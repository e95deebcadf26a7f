import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { TestClient, pageCsrfToken } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";
import { buildOrg, buildTeam } from "../helpers/orgs";
import { buildAccessToken } from "../helpers/tokens";
import { createScimToken } from "../../src/services/scim/tokens";
import { db } from "../../src/db/knex";

/**
 * Every route of the built app (read from its router stack, so a route added to routes/web/index.ts
 * or routes/api/index.ts is fuzzed without touching this file), hit with hostile input as a
 * signed-in user holding a valid CSRF token or bearer token, and signed out. Whatever the input,
 * the answer is never a 5xx; input the app refuses outright gets its 4xx and stores nothing; no
 * log line holds a password, token, cookie or any marker planted in a body.
 */

interface Endpoint { method: string; path: string }

interface RouteLayer { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: RouteLayer[] }; rawPath?: unknown }

/** The method and full path of every route under `stack`, nested routers included. */
function endpointsOf(stack: RouteLayer[], prefix = ""): Endpoint[] {
  return stack.flatMap((layer) => {
    if (layer.route && typeof layer.route.path === "string") {
      return Object.keys(layer.route.methods).filter((m) => m !== "_all").map((m) => ({ method: m.toUpperCase(), path: prefix + layer.route!.path }));
    }
    if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
      return endpointsOf(layer.handle.stack, prefix + mount);
    }
    return [];
  });
}

/** A marker that must never reach the log, put in password and code fields of every body. */
const SECRET = "fuzz-secret-7f3a9c";

/** The form fields the app's forms use (PRODUCT.md's names and the org and profile forms). */
const FORM_FIELDS = [
  "login", "password", "remember", "email", "username", "current_password", "password_confirmation", "description",
  "expires_in_days", "role", "name", "display_name", "bio", "maintainer", "confirm", "code", "code_verifier", "grant_type",
];

function formWith(value: (field: string) => string, csrf?: string): string {
  const fields: Record<string, string> = {};
  for (const f of FORM_FIELDS) fields[f] = /password|code/.test(f) ? `${SECRET}${value(f)}` : value(f);
  if (csrf) fields._csrf = csrf;
  return new URLSearchParams(fields).toString();
}

function jsonWith(value: unknown): string {
  return JSON.stringify({ description: value, expires_in_days: 30, role: value, email: value, bio: value, display_name: value, password: SECRET });
}

/** One hostile request: the body and headers to send, and the status it must get (undefined: any non-5xx). */
interface Attack { label: string; body?: string; headers?: Record<string, string>; path?: string; expect?: number }

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const JSON_TYPE = { "content-type": "application/json" };

/** The attacks on a path: each parameter in turn replaced, and the query string. Refused ones first. */
function pathAttacks(path: string, fill: (name: string) => string): Attack[] {
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const build = (bad?: { name: string; value: string }) => path.replace(/:(\w+)/g, (_, n: string) => (bad?.name === n ? bad.value : fill(n)));
  const attacks: Attack[] = [
    { label: "NUL in the query", path: `${build()}?page=1%00&next=%2F`, expect: 400 },
    { label: "CR LF in the query", path: `${build()}?next=%2F%0D%0ASet-Cookie:x`, expect: 400 },
  ];
  for (const name of names) {
    attacks.push(
      { label: `NUL in :${name}`, path: build({ name, value: "a%00b" }), expect: 400 },
      { label: `control character in :${name}`, path: build({ name, value: "a%1Bb" }), expect: 400 },
      { label: `C1 control in :${name}`, path: build({ name, value: "a%C2%85b" }), expect: 400 },
      { label: `broken percent-encoding in :${name}`, path: build({ name, value: "%E0%A4%A" }), expect: 400 },
    );
  }
  return attacks;
}

/** The JSON endpoints, which bearer tokens authenticate: the API and SCIM (with the organization's SCIM token). */
const isJsonPath = (path: string) => path.startsWith("/api/") || path.startsWith("/scim/");
/** Forms with a larger body limit (256 kB, src/app.ts: SAML metadata and responses): oversized means beyond that. */
const LARGE_FORMS = new Set(["/orgs/:org/settings/sso/saml", "/sso/:id/saml/acs"]);

/** The attacks on a body. `csrf` makes web forms otherwise valid, so only the input is at fault. */
function bodyAttacks(isApi: boolean, csrf?: string, largeForm = false): Attack[] {
  const gzipLie = { "content-encoding": "gzip" };
  if (isApi) {
    return [
      { label: "NUL in JSON", body: jsonWith("a\u0000b"), headers: JSON_TYPE, expect: 400 },
      { label: "escape sequence in JSON", body: jsonWith("\u001B[2J"), headers: JSON_TYPE, expect: 400 },
      { label: "NUL in a JSON key", body: JSON.stringify({ "description\u0000": "x", password: SECRET }), headers: JSON_TYPE, expect: 400 },
      { label: "malformed JSON", body: `{"password": "${SECRET}`, headers: JSON_TYPE, expect: 400 },
      { label: "JSON in latin1", body: jsonWith("x"), headers: { "content-type": "application/json; charset=latin1" }, expect: 415 },
      { label: "gzip lie", body: jsonWith("x"), headers: { ...JSON_TYPE, ...gzipLie }, expect: 400 },
      { label: "unknown encoding", body: jsonWith("x"), headers: { ...JSON_TYPE, "content-encoding": "compress" }, expect: 415 },
      // Above every JSON limit: the API's 32 kB and SCIM's 256 kB (a group's members fit in one PUT).
      { label: "oversized JSON", body: jsonWith("a".repeat(300_000)), headers: JSON_TYPE, expect: 413 },
      { label: "wrong JSON types", body: JSON.stringify({ description: 5, expires_in_days: "soon", role: ["owner"], bio: { $gt: "" }, password: [SECRET] }), headers: JSON_TYPE },
      { label: "a JSON array", body: JSON.stringify([SECRET]), headers: JSON_TYPE },
      { label: "JSON null", body: "null", headers: JSON_TYPE },
      { label: "overlong JSON strings", body: jsonWith("a".repeat(4_000)), headers: JSON_TYPE },
    ];
  }
  return [
    { label: "NUL in every field", body: formWith(() => "a\u0000b", csrf), headers: FORM, expect: 400 },
    { label: "escape sequence in every field", body: formWith(() => "\u001B]0;x\u0007", csrf), headers: FORM, expect: 400 },
    { label: "C1 control in every field", body: formWith(() => "a\u0085b", csrf), headers: FORM, expect: 400 },
    { label: "too many fields", body: `${formWith(() => "x", csrf)}&${Array.from({ length: 150 }, (_, i) => `f${i}=x`).join("&")}`, headers: FORM, expect: 413 },
    { label: "oversized form", body: formWith(() => "a".repeat(largeForm ? 20_000 : 3_000), csrf), headers: FORM, expect: 413 },
    { label: "unsupported charset", body: formWith(() => "x", csrf), headers: { "content-type": "application/x-www-form-urlencoded; charset=koi8-r" }, expect: 415 },
    { label: "gzip lie", body: formWith(() => "x", csrf), headers: { ...FORM, ...gzipLie }, expect: 400 },
    { label: "malformed percent-encoding in the body", body: `${formWith(() => "x", csrf)}&bio=%E0%A4%A&name=%`, headers: FORM },
    { label: "JSON to a form", body: jsonWith("x"), headers: JSON_TYPE },
    { label: "overlong field values", body: formWith(() => "a".repeat(1_500), csrf), headers: FORM },
  ];
}

/** Rows per table. Tables written on timers (mail delivery, batched counters) are left out. */
async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await db.raw<{ rows: { tablename: string }[] }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_migrations%' AND tablename NOT IN ('outbound_mails', 'api_request_counts', 'rate_limits') ORDER BY tablename",
  );
  const counts = await db.raw<{ rows: Record<string, string>[] }>(`SELECT ${rows.map((r) => `(SELECT count(*) FROM "${r.tablename}") AS "${r.tablename}"`).join(", ")}`);
  return Object.fromEntries(Object.entries(counts.rows[0]!).map(([k, v]) => [k, Number(v)]));
}

describe("fuzzing every form and API endpoint", () => {
  const lines: string[] = [];
  const sink = { write: (chunk: string) => void lines.push(...chunk.split("\n").filter(Boolean)) };
  const t = useTestApp({ LOG_LEVEL: "info" }, { logDestination: sink });

  it("answers hostile input with a 4xx (or an ordinary answer), never a 5xx, storing nothing it refused and logging no secret", async () => {
    const endpoints = endpointsOf((t.app as unknown as { router: { stack: RouteLayer[] } }).router.stack);
    const listed = new Set(endpoints.map((e) => `${e.method} ${e.path}`));
    for (const known of ["POST /login", "GET /u/:username", "POST /orgs/:org/teams", "POST /settings/tokens", "POST /api/v1/user/tokens", "PATCH /api/v1/orgs/:org/members/:id", "POST /oauth/token"]) {
      assert.ok(listed.has(known), `${known} is found in the router stack`);
    }

    const user = await buildUser();
    const org = await buildOrg(user);
    const team = await buildTeam(org, "core", [{ id: user.id }]);
    const { token: bearer } = await buildAccessToken(t.ctx, user);
    const { token: scimBearer } = await createScimToken(org, { kind: "user", role: "owner", user_id: user.id, username: user.username });
    const params: Record<string, string> = { org: org.slug, team: String(team.id), username: user.username, user: String(user.id), provider: "github", token: "not-a-real-token", id: "999999" };
    // :id names no row, so an accepted DELETE cannot revoke the bearer token the rest of the run uses.
    const fill = (name: string) => params[name] ?? "x";
    const secrets = [SECRET, user.password, bearer, scimBearer];

    let signedIn = await loginAs(t.baseUrl, user);
    let csrf = pageCsrfToken((await signedIn.get("/settings/profile")).html);
    secrets.push(csrf);
    const signedOut = new TestClient(t.baseUrl);

    const failures: string[] = [];
    const accepted: { client: TestClient; endpoint: Endpoint; attack: Attack; auth: boolean }[] = [];
    let sent = 0;

    async function send(client: TestClient, endpoint: Endpoint, attack: Attack, auth: boolean) {
      const isApi = isJsonPath(endpoint.path);
      const token = endpoint.path.startsWith("/scim/") ? scimBearer : bearer;
      const headers = { ...(attack.headers ?? {}), ...(isApi && auth ? { authorization: `Bearer ${token}` } : {}) };
      const path = attack.path ?? endpoint.path.replace(/:(\w+)/g, (_, n: string) => fill(n));
      const res = await client.request(endpoint.method, path, attack.body, headers);
      sent += 1;
      const who = auth ? "signed in" : "signed out";
      if (res.status >= 500) failures.push(`${endpoint.method} ${endpoint.path} (${attack.label}, ${who}): ${res.status}`);
      else if (attack.expect !== undefined && res.status !== attack.expect) failures.push(`${endpoint.method} ${endpoint.path} (${attack.label}, ${who}): ${res.status}, expected ${attack.expect}`);
    }

    // Refused input first, every route and both callers, with the row counts checked around each route.
    for (const endpoint of endpoints) {
      const hasBody = ["POST", "PATCH", "PUT", "DELETE"].includes(endpoint.method);
      const isApi = isJsonPath(endpoint.path);
      for (const [client, auth] of [[signedIn, true], [signedOut, false]] as const) {
        const attacks = [...pathAttacks(endpoint.path, fill), ...(hasBody ? bodyAttacks(isApi, auth ? csrf : undefined, LARGE_FORMS.has(endpoint.path)) : [])];
        const before = await rowCounts();
        for (const attack of attacks) {
          if (attack.expect === undefined) accepted.push({ client, endpoint, attack, auth });
          else await send(client, endpoint, attack, auth);
        }
        const after = await rowCounts();
        const grew = Object.keys(after).filter((table) => after[table] !== before[table]);
        if (grew.length > 0) failures.push(`${endpoint.method} ${endpoint.path} (${auth ? "signed in" : "signed out"}): refused input changed ${grew.join(", ")}`);
      }
    }

    // Then input the app may take (long strings, other types): any answer but a 5xx. A route that
    // ends the session (sign-out, account deletion) is followed by a fresh sign-in.
    for (const { client, endpoint, attack, auth } of accepted) {
      await send(auth ? signedIn : client, endpoint, attack, auth);
      if (auth && (await signedIn.get("/settings/profile")).status !== 200) {
        if (!(await db("users").where({ id: user.id }).first())) break;
        signedIn = await loginAs(t.baseUrl, user);
        csrf = pageCsrfToken((await signedIn.get("/settings/profile")).html);
        secrets.push(csrf);
      }
    }
    // Overlong route parameters and query strings, which the app may well answer normally.
    for (const endpoint of endpoints.filter((e) => e.method === "GET")) {
      const long = "a".repeat(4_000);
      await send(signedIn, endpoint, { label: "overlong parameters", path: `${endpoint.path.replace(/:(\w+)/g, () => long)}?page=${long}` }, true);
    }

    assert.deepEqual(failures, [], `${failures.length} of ${sent} requests answered wrongly`);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(lines.length > sent, "requests were logged");
    for (const line of lines) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `a log line holds a secret (${secret.slice(0, 10)}…): ${line.slice(0, 300)}`);
      assert.ok((JSON.parse(line) as { level: number }).level < 50, `an error was logged: ${line.slice(0, 300)}`);
    }
  });
});
