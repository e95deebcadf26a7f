import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { TestClient, csrfTokenFor } from "../helpers/client";
import { buildUser } from "../helpers/factories";
import { SESSION_COOKIE } from "../../src/http/session";

/** The CSP header as a map of directive -> sources. */
function csp(headers: Headers): Map<string, string[]> {
  const value = headers.get("content-security-policy");
  assert.ok(value, "a Content-Security-Policy header");
  return new Map(value.split(";").map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name!, sources];
  }));
}

describe("security headers over http", () => {
  const t = useTestApp();

  it("sends a CSP without inline scripts, no framing, nosniff and no X-Powered-By on every kind of response", async () => {
    const client = new TestClient(t.baseUrl);
    for (const path of ["/", "/login", "/signup", "/no-such-page", "/healthz", "/public/css/app.css"]) {
      const res = await client.get(path);
      const policy = csp(res.headers);
      const scripts = policy.get("script-src") ?? policy.get("default-src")!;
      assert.deepEqual(scripts, ["'self'"], `${path}: script-src`);
      assert.ok(!res.headers.get("content-security-policy")!.includes("unsafe-inline"), `${path}: no 'unsafe-inline'`);
      assert.ok(!res.headers.get("content-security-policy")!.includes("unsafe-eval"), `${path}: no 'unsafe-eval'`);
      assert.deepEqual(policy.get("frame-ancestors"), ["'none'"], path);
      assert.deepEqual(policy.get("object-src"), ["'none'"], path);
      assert.deepEqual(policy.get("form-action"), ["'self'"], path);
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("x-powered-by"), null, path);
      assert.equal(res.headers.get("referrer-policy"), "same-origin", path);
    }
  });

  it("sends no HSTS and no upgrade-insecure-requests while BASE_URL is http", async () => {
    const res = await new TestClient(t.baseUrl).get("/login");
    assert.equal(res.headers.get("strict-transport-security"), null);
    assert.equal(csp(res.headers).has("upgrade-insecure-requests"), false);
  });

  it("renders pages without inline scripts, inline styles or event-handler attributes (the CSP would block them)", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    const pages = [await client.get("/"), await client.get("/login"), await client.get("/signup"), await client.get("/password/forgot"), await client.get("/no-such-page")];
    await client.submit("/login", { login: user.username, password: user.password });
    pages.push(await client.get("/"), await client.get("/settings/profile"));
    for (const page of pages) {
      assert.doesNotMatch(page.html, /<script\b(?![^>]*\bsrc=)[^>]*>/i, "inline <script>");
      assert.doesNotMatch(page.html, /<style\b/i, "inline <style>");
      assert.doesNotMatch(page.html, /\sstyle="/i, "style attribute");
      assert.doesNotMatch(page.html, /\son[a-z]+="/i, "event-handler attribute");
    }
  });

  it("sets the CSRF and session cookies HttpOnly and SameSite=Lax, without Secure on http", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    const page = await client.get("/login");
    const csrf = page.headers.getSetCookie().find((c) => c.startsWith("gatehouse.csrf="));
    const body = new URLSearchParams({ _csrf: csrfTokenFor(page.html, "/login"), login: user.username, password: user.password }).toString();
    const res = await client.request("POST", "/login", body);
    const session = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    for (const cookie of [csrf, session]) {
      assert.ok(cookie);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      assert.doesNotMatch(cookie, /Secure/i);
    }
  });
});

describe("security headers when BASE_URL is https", () => {
  // Behind a TLS-terminating proxy: the proxy on loopback is trusted and says the request was https.
  const t = useTestApp({ BASE_URL: "https://gatehouse.example.test", TRUST_PROXY: "loopback" });
  const viaHttps = { "x-forwarded-proto": "https" };

  it("marks the CSRF cookie Secure with the __Host- prefix, and the session cookie Secure", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    const page = await client.request("GET", "/login", undefined, viaHttps);
    const first = page.headers.getSetCookie().find((c) => c.startsWith("__Host-gatehouse.csrf="));
    assert.ok(first);
    assert.match(first, /;\s*Secure/i);
    assert.match(first, /HttpOnly/i);
    assert.match(first, /Path=\//i);
    assert.doesNotMatch(first, /Domain=/i);
    const body = new URLSearchParams({ _csrf: csrfTokenFor(page.html, "/login"), login: user.username, password: user.password }).toString();
    const res = await client.request("POST", "/login", body, viaHttps);
    assert.equal(res.status, 302);
    const signedIn = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(signedIn);
    assert.match(signedIn, /;\s*Secure/i);
  });

  it("sends HSTS and upgrade-insecure-requests", async () => {
    const res = await new TestClient(t.baseUrl).request("GET", "/login", undefined, viaHttps);
    assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=31536000/);
    assert.equal(csp(res.headers).has("upgrade-insecure-requests"), true);
  });

  it("never hands a session cookie to a plain-http request", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    const page = await client.request("GET", "/login", undefined, viaHttps);
    const body = new URLSearchParams({ _csrf: csrfTokenFor(page.html, "/login"), login: user.username, password: user.password }).toString();
    const res = await client.request("POST", "/login", body);
    assert.equal(res.headers.getSetCookie().filter((c) => c.startsWith(`${SESSION_COOKIE}=`)).length, 0);
  });
});
