import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { buildUser, loginAs } from "../helpers/factories";
import { ownPostgres } from "../helpers/own-postgres";
import { apiRequest, buildAccessToken } from "../helpers/tokens";
import { db } from "../../src/db/knex";
import { insertOutboundMails } from "../../src/db/outbound-mails";

const RECOVERY_DEADLINE_MS = 30_000;

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * A PostgreSQL restart under load, on a server of this file's own. No error may escape to the
 * process (an unhandled `error` event from an idle pool client is what ended the app in a soak
 * test), every answer during the outage is a 503, and once the database is back the same requests
 * succeed again without restarting the app.
 */
describe("database outage", () => {
  // Node's test runner (20.x) was seen to let a test pass although a socket the app opened raised
  // an uncaught exception, so this file catches such escapes itself and asserts there were none.
  const escaped: unknown[] = [];
  const escape = (err: unknown) => escaped.push(err);
  before(() => {
    process.on("uncaughtException", escape);
    process.on("unhandledRejection", escape);
  });
  after(() => {
    process.off("uncaughtException", escape);
    process.off("unhandledRejection", escape);
  });
  const pg = ownPostgres();
  // The load below would use up the per-token API limit, which this file is not about.
  const t = useTestApp({ RATE_LIMIT_API_PER_TOKEN: "1000000" }, { database: pg });

  it("answers 503 while PostgreSQL is down, and serves again once it is back", async () => {
    const user = await buildUser({ username: "ada" });
    await db("users").where({ id: user.id }).update({ profile_public: true });
    const { token } = await buildAccessToken(t.ctx, user);
    const get = async (send: () => Promise<Response>): Promise<Answer> => {
      const res = await send();
      return { status: res.status, headers: res.headers, body: await res.text() };
    };
    // Each one needs the database: a profile lookup, a bearer-token lookup, the readiness check.
    const page = () => get(() => fetch(`${t.baseUrl}/u/ada`, { redirect: "manual" }));
    const api = () => get(() => apiRequest(t.baseUrl, token, "GET", "/api/v1/user"));
    const ready = () => get(() => fetch(`${t.baseUrl}/readyz`));
    // A signed-in page: the session store's queries (and a session saved on the way) go through
    // the same pool, so an outage while signed in must end as a 503 too.
    const client = await loginAs(t.baseUrl, user);
    const signedIn = async (): Promise<Answer> => {
      const res = await client.get("/settings/profile");
      return { status: res.status, headers: res.headers, body: res.html };
    };
    const allFour = () => Promise.all([page(), api(), ready(), signedIn()]);

    for (const answer of await allFour()) assert.equal(answer.status, 200, answer.body);

    // Load across the restart: a few clients in a loop, so queries are in flight and connections
    // idle in the pool at the moment the server goes away. Every answer must be a 200 or a 503,
    // never a 500, a hung request or a dropped connection.
    let loading = true;
    const seen = new Map<number, number>();
    const dropped: string[] = [];
    const load = Array.from({ length: 4 }, async () => {
      while (loading) {
        try {
          for (const answer of await allFour()) seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        } catch (err) {
          dropped.push(String((err as Error).cause ?? err));
        }
        await sleep(50);
      }
    });

    try {
      await sleep(300);
      await pg.stop();
      try {
        const [down, downApi, downReady, downSignedIn] = await allFour();
        assert.equal(downSignedIn!.status, 503);
        assert.equal(down.status, 503);
        assert.equal(down.headers.get("retry-after"), "5");
        assert.match(down.headers.get("content-type") ?? "", /text\/html/);
        assert.match(down.body, /<h1>Gatehouse can&#39;t reach its database right now<\/h1>/);
        assert.match(down.body, /try again in a moment/);
        for (const internal of [/ECONNREFUSED/, /127\.0\.0\.1/, /select/i, /node_modules/]) assert.doesNotMatch(down.body, internal);

        assert.equal(downApi.status, 503);
        assert.equal(downApi.headers.get("retry-after"), "5");
        const apiError = JSON.parse(downApi.body);
        assert.deepEqual(Object.keys(apiError), ["error"]);
        assert.equal(apiError.error.code, "unavailable");
        assert.match(apiError.error.message, /can't reach its database/);

        assert.equal(downReady.status, 503);
        assert.deepEqual(JSON.parse(downReady.body), { status: "database unreachable" });
      } finally {
        await pg.start();
      }

      // Back up: the same requests succeed again within a generous deadline, the app untouched.
      const deadline = Date.now() + RECOVERY_DEADLINE_MS;
      let answers = await allFour();
      while (answers.some((a) => a.status !== 200) && Date.now() < deadline) {
        await sleep(200);
        answers = await allFour();
      }
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200], `still failing after the restart: ${answers.map((a) => a.body.slice(0, 200)).join(" | ")}`);
      assert.equal(JSON.parse(answers[1]!.body).data.username, "ada");
    } finally {
      // Also when an assertion above failed: a load left running would keep the file alive.
      loading = false;
      await Promise.all(load);
    }
    assert.deepEqual(escaped.map(String), [], "no error escaped to the process");
    assert.deepEqual(dropped, [], "no request lost its connection to the app");
    assert.deepEqual([...seen.keys()].filter((s) => s !== 200 && s !== 503), [], `unexpected statuses under load: ${JSON.stringify([...seen])}`);
    assert.ok(seen.has(200) && seen.has(503), `the load saw both sides of the outage: ${JSON.stringify([...seen])}`);

    // Writes work again, and the mail worker, whose polls failed during the outage, still picks up
    // queued mail on its own (no request kicks it here).
    await insertOutboundMails([{ user_id: user.id, to: user.email, subject: "After the outage", text: "Still here.", html: "<p>Still here.</p>", message_id: "<after-the-outage@gatehouse.test>" }]);
    const mail = await t.mailbox.waitFor(user.email, (m) => m.subject === "After the outage", 20_000);
    assert.equal(mail.text.trim(), "Still here.");
  });
});
