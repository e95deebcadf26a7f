import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { SESSION_COOKIE } from "../../src/http/session";
import { useTestApp } from "../helpers/app";
import type { TestClient } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function sidOf(client: TestClient): string {
  return decodeURIComponent(client.cookie(SESSION_COOKIE)!).replace(/^s:/, "").split(".")[0]!;
}

async function rowOf(client: TestClient) {
  return (await db("sessions").where({ sid: sidOf(client) }).first()) as { signed_in_at: Date; expires_at: Date; absolute_expires_at: Date; last_seen_at: Date };
}

async function isSignedIn(client: TestClient): Promise<boolean> {
  return (await client.get("/settings/profile")).status === 200;
}

/** Milliseconds between two dates, for lifetimes stored by the database clock. */
const span = (from: Date, to: Date) => to.getTime() - from.getTime();

describe("session lifetimes", () => {
  const t = useTestApp();

  it("without Keep me signed in: 30 idle minutes, 12 hours from sign-in at most", async () => {
    const client = await loginAs(t.baseUrl, await buildUser());
    const row = await rowOf(client);
    assert.ok(Math.abs(span(row.signed_in_at, row.expires_at) - 30 * MINUTE) < 5_000);
    assert.ok(Math.abs(span(row.signed_in_at, row.absolute_expires_at) - 12 * HOUR) < 5_000);

    // Idle for too long: signed out.
    await db("sessions").where({ sid: sidOf(client) }).update({ expires_at: new Date(Date.now() - 1_000) });
    assert.equal(await isSignedIn(client), false);
  });

  it("never extends a session past its 12 hours, however busy", async () => {
    const client = await loginAs(t.baseUrl, await buildUser());
    const end = new Date(Date.now() + 10 * MINUTE);
    await db("sessions").where({ sid: sidOf(client) }).update({ absolute_expires_at: end, expires_at: new Date(Date.now() + 5 * MINUTE), last_seen_at: new Date(Date.now() - 6 * MINUTE) });
    assert.ok(await isSignedIn(client));
    assert.deepEqual((await rowOf(client)).expires_at, end, "the idle expiry stops at the absolute end");
    await db("sessions").where({ sid: sidOf(client) }).update({ absolute_expires_at: new Date(Date.now() - 1_000), expires_at: new Date(Date.now() - 1_000) });
    assert.equal(await isSignedIn(client), false);
  });

  it("with Keep me signed in: 30 days from sign-in, not extended by use", async () => {
    const client = await loginAs(t.baseUrl, await buildUser(), { remember: true });
    const row = await rowOf(client);
    assert.ok(Math.abs(span(row.signed_in_at, row.expires_at) - 30 * DAY) < 5_000);
    assert.deepEqual(row.expires_at, row.absolute_expires_at);
    await db("sessions").where({ sid: sidOf(client) }).update({ last_seen_at: new Date(Date.now() - 6 * MINUTE) });
    const page = await client.get("/settings/profile");
    assert.equal(page.status, 200);
    const touched = await rowOf(client);
    assert.ok(Date.now() - touched.last_seen_at.getTime() < 10_000, "seen now");
    assert.deepEqual(touched.expires_at, row.expires_at, "use does not extend it");
  });

  it("keeps the remembered cookie's expiry at the session's end when the session changes", async () => {
    const client = await loginAs(t.baseUrl, await buildUser(), { remember: true });
    const row = await rowOf(client);
    const res = await client.submit("/settings/profile", { display_name: "Ana", bio: "" });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(cookie, "a changed remembered session sends its cookie again");
    const expires = new Date(cookie.match(/Expires=([^;]+)/i)![1]!);
    assert.ok(Math.abs(expires.getTime() - row.absolute_expires_at.getTime()) < 5_000, `cookie expires ${expires.toISOString()}`);
  });

  it("sends Cache-Control: no-store on signed-in pages", async () => {
    const client = await loginAs(t.baseUrl, await buildUser());
    for (const path of ["/", "/settings/profile", "/settings/tokens"]) {
      assert.equal((await client.get(path)).headers.get("cache-control"), "no-store", path);
    }
  });
});
