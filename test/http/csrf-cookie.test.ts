import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { csrfTokenFor, pageCsrfToken, TestClient } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";

const CSRF_COOKIE = "gatehouse.csrf";

function sentCsrfCookie(headers: Headers): string | undefined {
  const line = headers.getSetCookie().find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return line?.slice(CSRF_COOKIE.length + 1).split(";")[0];
}

/** Loads `path` with `planted` as the CSRF cookie and checks the page replaced it with a cookie of its own, the one its forms carry. */
async function expectReplaced(client: TestClient, path: string, planted: string): Promise<void> {
  client.setCookie(CSRF_COOKIE, planted);
  const page = await client.get(path);
  const issued = sentCsrfCookie(page.headers);
  assert.ok(issued, "the planted cookie is replaced");
  assert.notEqual(issued, planted);
  assert.equal(pageCsrfToken(page.html), issued);
}

describe("the CSRF cookie", () => {
  const t = useTestApp();

  it("is sent once per session: later pages reuse the cookie the browser holds, and their forms post with it", async () => {
    const client = await loginAs(t.baseUrl, await buildUser());
    // The cookie from the signed-out sign-in form was made for no session: the first signed-in page replaces it.
    const signedOutToken = client.cookie(CSRF_COOKIE);
    const first = await client.get("/settings/profile");
    const issued = sentCsrfCookie(first.headers);
    assert.ok(issued, "the first signed-in page sets a cookie for its session");
    assert.notEqual(issued, signedOutToken);
    assert.equal(pageCsrfToken(first.html), issued);

    const second = await client.get("/settings/profile");
    assert.equal(sentCsrfCookie(second.headers), undefined, "an unchanged valid cookie is not sent again");
    assert.equal(pageCsrfToken(second.html), issued);
    const saved = await client.postRaw("/settings/profile", { _csrf: csrfTokenFor(second.html, "/settings/profile"), display_name: "Reused Token" });
    assert.equal(saved.status, 302);
  });

  it("replaces a cookie made for another session, and a form carrying that session's token is refused", async () => {
    const attacker = await loginAs(t.baseUrl, await buildUser());
    const attackersToken = pageCsrfToken((await attacker.get("/settings/profile")).html);
    const victim = await loginAs(t.baseUrl, await buildUser());
    // As if a sibling site had planted the attacker's valid cookie in the victim's browser.
    await expectReplaced(victim, "/settings/profile", attackersToken);

    victim.setCookie(CSRF_COOKIE, attackersToken);
    const forged = await victim.postRaw("/settings/profile", { _csrf: attackersToken, display_name: "Forged" });
    assert.equal(forged.status, 403);
  });

  it("replaces a cookie whose signature does not verify, and a form carrying it is refused", async () => {
    const client = new TestClient(t.baseUrl);
    const genuine = sentCsrfCookie((await client.get("/login")).headers);
    assert.ok(genuine);
    // Well formed (signature "." random value), with one character of the signature changed.
    const tampered = (genuine[0] === "0" ? "1" : "0") + genuine.slice(1);
    await expectReplaced(client, "/login", tampered);

    client.setCookie(CSRF_COOKIE, tampered);
    const user = await buildUser();
    const refused = await client.postRaw("/login", { _csrf: tampered, login: user.username, password: user.password });
    assert.equal(refused.status, 403);
  });

  it("refuses, with a 403 and never a 500, a form whose token is not exactly a valid cookie's", async () => {
    const client = new TestClient(t.baseUrl);
    const genuine = sentCsrfCookie((await client.get("/login")).headers)!;
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "0" ? "1" : "0") + text.slice(at + 1);
    const user = await buildUser();
    const cases: [string, string, string][] = [
      ["the random half changed in both", flip(genuine, 100), flip(genuine, 100)],
      ["the form's token differs from the cookie", genuine, flip(genuine, 100)],
      ["the cookie differs from the form's token", flip(genuine, 3), genuine],
      ["upper-case hex", genuine.toUpperCase(), genuine.toUpperCase()],
      ["cut short", genuine.slice(0, -1), genuine.slice(0, -1)],
      // Percent-encoded in the header: the value read is "é" followed by the rest, one character as long as a token but more bytes.
      ["a non-ASCII cookie as long as a token", `%C3%A9${genuine.slice(1)}`, genuine],
      ["empty", "", ""],
    ];
    for (const [label, cookie, sent] of cases) {
      client.setCookie(CSRF_COOKIE, cookie);
      const refused = await client.postRaw("/login", { _csrf: sent, login: user.username, password: user.password });
      assert.equal(refused.status, 403, label);
      assert.match(refused.html, /This form expired or was not sent from this site/, label);
    }
    client.setCookie(CSRF_COOKIE, genuine);
    const signedIn = await client.postRaw("/login", { _csrf: genuine, login: user.username, password: user.password });
    assert.equal(signedIn.status, 302, "the genuine pair still signs in");
  });
});
