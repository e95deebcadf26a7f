import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { TestClient } from "../../helpers/client";
import { db } from "../../../src/db/knex";
import { findUserByUsername } from "../../../src/db/users";

describe("health probes and error pages", () => {
  const t = useTestApp();

  it("answers /healthz with 200 and no session", async () => {
    const res = await new TestClient(t.baseUrl).get("/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.html), { status: "ok" });
    assert.deepEqual(res.headers.getSetCookie(), []);
  });

  it("answers /readyz with 200 when the database answers and migrations are applied", async () => {
    const res = await new TestClient(t.baseUrl).get("/readyz");
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.html), { status: "ready" });
    assert.deepEqual(res.headers.getSetCookie(), []);
  });

  it("answers /readyz with 503 while a migration is pending", async () => {
    const newest = await db("knex_migrations").orderBy("id", "desc").first();
    await db("knex_migrations").where({ id: newest.id }).delete();
    try {
      const res = await new TestClient(t.baseUrl).get("/readyz");
      assert.equal(res.status, 503);
      assert.deepEqual(JSON.parse(res.html), { status: "migrations pending" });
    } finally {
      await db("knex_migrations").insert(newest);
    }
  });

  it("answers /readyz with 503 instead of waiting when the database does not answer in time", async () => {
    // A lock held by another transaction stalls the readiness check's read of the migrations table,
    // like a database that accepts connections but does not answer.
    const trx = await db.transaction();
    try {
      await trx.raw("LOCK TABLE knex_migrations IN ACCESS EXCLUSIVE MODE");
      // The abort only stops a hung check from holding the file until the runner's time limit.
      const res = await fetch(`${t.baseUrl}/readyz`, { signal: AbortSignal.timeout(30_000) });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: "database unreachable" });
    } finally {
      await trx.rollback();
    }
  });

  it("shows the styled 404 page for an unknown page, and JSON under /api", async () => {
    const res = await new TestClient(t.baseUrl).get("/no/such/page");
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(res.html, /<h1>Page not found<\/h1>/);
    assert.match(res.html, /<link rel="stylesheet" href="\/public\/css\/app\.css">/);
    assert.match(res.html, /class="site-header"/);
    const api = await new TestClient(t.baseUrl).get("/api/v1/no-such-thing");
    assert.equal(api.status, 404);
    assert.equal(JSON.parse(api.html).error.code, "not_found");
  });

  it("answers an unexpected error with a 500 page that gives a reference and no internals, and writes nothing half", async () => {
    // Break the database under the signup (its confirmation token cannot be stored) to make a real error.
    await db.raw("ALTER TABLE email_codes RENAME TO email_codes_hidden");
    let res;
    try {
      res = await new TestClient(t.baseUrl).submit("/signup", { username: "ana", email: "ana@example.test", password: "a long and quiet harbour" });
    } finally {
      await db.raw("ALTER TABLE email_codes_hidden RENAME TO email_codes");
    }
    assert.equal(res.status, 500);
    assert.match(res.html, /<h1>Something went wrong<\/h1>/);
    const requestId = res.headers.get("x-request-id");
    assert.match(requestId ?? "", /^[0-9a-f-]{36}$/);
    assert.ok(res.html.includes(`<code>${requestId}</code>`), "the page shows the request id as a reference");
    for (const internal of [/email_codes/, /relation/i, /\bat .*\(.*:\d+:\d+\)/, /node_modules/, /\.ts\b/, /Error:/]) {
      assert.doesNotMatch(res.html, internal);
    }
    assert.equal(await findUserByUsername("ana"), undefined, "the account was not created without its confirmation link");
    assert.equal((await db("outbound_mails").count({ n: "*" }))[0]!.n, 0);
  });
});
