import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../../src/db/knex";
import { SESSION_COOKIE } from "../../../../src/http/session";
import { useTestApp } from "../../../helpers/app";
import { TestClient, csrfTokenFor, pageCsrfToken } from "../../../helpers/client";
import { buildUser, loginAs } from "../../../helpers/factories";

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
const CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

/** The express-session id inside a signed session cookie. */
function sidOf(client: TestClient): string {
  return decodeURIComponent(client.cookie(SESSION_COOKIE)!).replace(/^s:/, "").split(".")[0]!;
}

/** The revoke form actions on a sessions page, in order. */
function revokeActions(html: string): string[] {
  return [...html.matchAll(/action="(\/settings\/sessions\/[^"]+\/revoke)"/g)].map((m) => m[1]!);
}

async function isSignedIn(client: TestClient): Promise<boolean> {
  return (await client.get("/settings/profile")).status === 200;
}

describe("settings: sessions", () => {
  const t = useTestApp();

  it("shows an IPv4 client recorded as IPv4-mapped IPv6 by its IPv4 address", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    await db("sessions").where({ user_id: user.id }).update({ ip: "::ffff:203.0.113.7" });
    const page = await client.get("/settings/sessions");
    assert.equal(page.status, 200);
    assert.match(page.html, /<code>203\.0\.113\.7<\/code>/);
    assert.doesNotMatch(page.html, /::ffff:/);
  });

  it("lists every live session with browser, OS and IP, marks this device and never shows session ids", async () => {
    const user = await buildUser();
    const here = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, FIREFOX_LINUX) });
    const phone = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, CHROME_WINDOWS) });
    const gone = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, SAFARI_IPHONE) });
    // An expired session is not listed even though its row is still there.
    await db("sessions").where({ sid: sidOf(gone) }).update({ expires_at: new Date(Date.now() - 60_000) });

    const page = await here.get("/settings/sessions");
    assert.equal(page.status, 200);
    assert.match(page.html, /Firefox 120<\/strong>\s*<span class="muted">on Linux<\/span>\s*<span class="badge badge--accent">This device<\/span>/);
    assert.match(page.html, /Chrome 120<\/strong>\s*<span class="muted">on Windows 10<\/span>/);
    assert.doesNotMatch(page.html, /Safari|iOS/);
    assert.match(page.html, /127\.0\.0\.1/);
    assert.equal(revokeActions(page.html).length, 1, "only the other session has a sign-out button");
    assert.ok(!page.html.includes(sidOf(phone)), "another session's id would be a credential");
    assert.match(page.html, /Signs out 1 other session/);
  });

  it("answers 404 for someone else's session or a made-up id, and their session lives on", async () => {
    const victim = await buildUser();
    const victimClient = await loginAs(t.baseUrl, victim);
    await loginAs(t.baseUrl, victim);
    const victimPage = await victimClient.get("/settings/sessions");
    const [victimOther] = revokeActions(victimPage.html);

    const attacker = await buildUser();
    const attackerClient = await loginAs(t.baseUrl, attacker);
    const page = await attackerClient.get("/settings/sessions");
    const token = pageCsrfToken(page.html);
    for (const action of [victimOther!, "/settings/sessions/not-a-uuid/revoke", "/settings/sessions/00000000-0000-4000-8000-000000000000/revoke"]) {
      const res = await attackerClient.postRaw(action, { _csrf: token });
      assert.equal(res.status, 404, action);
    }
    assert.equal(await db("sessions").where({ user_id: victim.id }).whereNull("ended_at").count("* as n").first().then((r) => Number(r!.n)), 2);
    assert.ok(await isSignedIn(victimClient));
  });

  it("revokes one session: its next request is signed out", async () => {
    const user = await buildUser();
    const here = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, FIREFOX_LINUX) });
    const other = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, CHROME_WINDOWS) });
    const page = await here.get("/settings/sessions");
    const [action] = revokeActions(page.html);
    const res = await here.postRaw(action!, { _csrf: csrfTokenFor(page.html, action!) });
    assert.equal(res.status, 302);
    assert.equal(res.location, "/settings/sessions");
    const after = await here.get("/settings/sessions");
    assert.match(after.html, /The session of Chrome 120 on Windows 10 was signed out\./);
    assert.equal(revokeActions(after.html).length, 0);
    assert.equal(await isSignedIn(other), false);
    assert.ok(await isSignedIn(here));
    assert.ok(await db("security_events").where({ user_id: user.id, action: "session.revoked" }).first());
  });

  it("signs out every other session at once and keeps this one", async () => {
    const user = await buildUser();
    const here = await loginAs(t.baseUrl, user);
    const others = [await loginAs(t.baseUrl, user), await loginAs(t.baseUrl, user)];
    const stranger = await loginAs(t.baseUrl, await buildUser());
    const res = await here.submit("/settings/sessions", {}, "/settings/sessions/revoke-others");
    assert.equal(res.status, 302);
    const page = await here.get("/settings/sessions");
    assert.equal(page.status, 200);
    assert.match(page.html, /Every other session was signed out\./);
    assert.match(page.html, /No other session is signed in\./);
    for (const client of others) assert.equal(await isSignedIn(client), false);
    assert.ok(await isSignedIn(stranger), "other users' sessions are untouched");
  });

  it("treats revoking this device's own session as signing out", async () => {
    const user = await buildUser();
    const here = await loginAs(t.baseUrl, user);
    const row = await db("sessions").where({ sid: sidOf(here) }).first();
    const page = await here.get("/settings/sessions");
    const token = pageCsrfToken(page.html);
    const res = await here.postRaw(`/settings/sessions/${row.public_id}/revoke`, { _csrf: token });
    assert.equal(res.location, "/login");
    assert.equal(await isSignedIn(here), false);
  });

  it("writes last_seen_at at most once every few minutes per session, and only then pushes the idle expiry", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const sid = sidOf(client);
    const row = async () => (await db("sessions").where({ sid }).first()) as { last_seen_at: Date; expires_at: Date };

    // Seen a minute ago: requests write nothing.
    const recent = new Date(Date.now() - 60_000);
    const expiry = new Date(Date.now() + 20 * 60_000);
    await db("sessions").where({ sid }).update({ last_seen_at: recent, expires_at: expiry });
    await client.get("/settings/profile");
    await client.get("/settings/account");
    assert.deepEqual(await row(), { ...(await row()), last_seen_at: recent, expires_at: expiry });

    // Seen six minutes ago: the next request marks it seen and gives it 30 idle minutes again.
    await db("sessions").where({ sid }).update({ last_seen_at: new Date(Date.now() - 6 * 60_000) });
    await client.get("/settings/profile");
    const touched = await row();
    assert.ok(Date.now() - touched.last_seen_at.getTime() < 10_000, "the stale session was touched");
    const idle = (touched.expires_at.getTime() - Date.now()) / 60_000;
    assert.ok(idle > 29 && idle <= 30, `idle expiry in ${idle} minutes`);
  });

  it("needs a signed-in user and the form's CSRF token", async () => {
    const anonymous = new TestClient(t.baseUrl);
    assert.equal((await anonymous.get("/settings/sessions")).status, 302);
    const user = await buildUser();
    const here = await loginAs(t.baseUrl, user);
    const other = await loginAs(t.baseUrl, user);
    const forged = await here.postRaw("/settings/sessions/revoke-others", { _csrf: "forged" });
    assert.equal(forged.status, 403);
    assert.ok(await isSignedIn(other));
  });
});
