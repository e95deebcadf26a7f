import assert from "node:assert/strict";
import zlib from "node:zlib";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { csrfTokenFor, TestClient } from "../helpers/client";
import { buildUser } from "../helpers/factories";
import { buildAccessToken } from "../helpers/tokens";
import { describeClientError } from "../../src/http/errors";

/** A raw request: any body bytes and headers, answered with status, content type and text. */
async function send(url: string, method: string, body: string | Buffer | undefined, headers: Record<string, string>) {
  const res = await fetch(url, { method, headers, body: typeof body === "string" || body === undefined ? body : new Uint8Array(body), redirect: "manual" });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

describe("describeClientError", () => {
  it("keeps the 4xx a library error carries and never turns anything else into one", () => {
    const uri = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    assert.equal(describeClientError(uri)?.code, "malformed_url");
    assert.equal(describeClientError(Object.assign(new Error("x"), { statusCode: 413, type: "parameters.too.many" }))?.status, 413);
    assert.equal(describeClientError(Object.assign(new Error("x"), { status: 500, type: "stream.encoding.set" })), undefined, "our own misconfiguration stays a 500");
    assert.equal(describeClientError(new Error("boom")), undefined);
    assert.equal(describeClientError(Object.assign(new Error("x"), { status: "abc" })), undefined);
  });
});

describe("malformed requests", () => {
  const t = useTestApp();

  it("answers malformed web forms with a 4xx page, never a 500", async () => {
    const client = new TestClient(t.baseUrl);
    const token = csrfTokenFor((await client.get("/login")).html, "/login");
    const cookie = () => ["gatehouse.csrf", "gatehouse.sid"].map((n) => [n, client.cookie(n)]).filter(([, v]) => v).map(([n, v]) => `${n}=${v}`).join("; ");
    const form = (extra: Record<string, string> = {}) => ({ "content-type": "application/x-www-form-urlencoded", cookie: cookie(), ...extra });
    const manyFields = `_csrf=${token}&` + Array.from({ length: 150 }, (_, i) => `f${i}=x`).join("&");
    const cases: [string, string | Buffer, Record<string, string>, number, RegExp][] = [
      ["too many fields", manyFields, form(), 413, /too many fields/],
      ["oversized", `_csrf=${token}&bio=${"a".repeat(40_000)}`, form(), 413, /too large/],
      ["unsupported charset", "login=a", form({ "content-type": "application/x-www-form-urlencoded; charset=koi8-r" }), 415, /charset is not supported/],
      ["a gzip lie", "login=a&password=b", form({ "content-encoding": "gzip" }), 400, /could not be decompressed/],
      ["an unknown encoding", "login=a", form({ "content-encoding": "compress" }), 415, /Content-Encoding is not supported/],
    ];
    for (const [label, body, headers, status, message] of cases) {
      const res = await send(`${t.baseUrl}/login`, "POST", body, headers);
      assert.equal(res.status, status, label);
      assert.match(res.type, /text\/html/, label);
      assert.match(res.text, message, label);
    }
    const gzipped = await send(`${t.baseUrl}/login`, "POST", zlib.gzipSync("login=a&password=b"), form({ "content-encoding": "gzip" }));
    assert.equal(gzipped.status, 403, "a real gzip body is read (and then needs its CSRF token)");
  });

  it("reads a cookie value that looks like JSON as the text it is", async () => {
    // cookie-parser turned "j:"-prefixed values into objects, and the CSRF library of the time
    // failed on the signed-out form's own cookie with a 500. Every cookie this app reads is a string.
    for (const value of ['j:{"a":1}', "j:[1,2]", "j:null"]) {
      const cookie = `gatehouse.csrf=${encodeURIComponent(value)}; gatehouse.accounts=${encodeURIComponent(value)}`;
      const page = await send(`${t.baseUrl}/login`, "GET", undefined, { cookie });
      assert.equal(page.status, 200, value);
      const post = await send(`${t.baseUrl}/login`, "POST", `_csrf=${encodeURIComponent(value)}&login=a&password=b`, { cookie, "content-type": "application/x-www-form-urlencoded" });
      assert.equal(post.status, 403, value);
      assert.match(post.text, /This form expired or was not sent from this site/, value);
    }
  });

  it("answers broken percent-encoding in a path with 400", async () => {
    for (const path of ["/u/%E0%A4%A", "/orgs/%ZZ", "/password/reset/%", "/public/%E0%A4%A"]) {
      const res = await send(`${t.baseUrl}${path}`, "GET", undefined, {});
      assert.equal(res.status, 400, path);
      assert.match(res.text, /malformed percent-encoding/, path);
    }
  });

  it("answers malformed API bodies with a 4xx in the one error shape", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user);
    const json = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, "content-type": "application/json", ...extra });
    const cases: [string, string | Buffer, Record<string, string>, number, string][] = [
      ["malformed JSON", '{"description": "x', json(), 400, "bad_request"],
      ["a bare string", '"just a string"', json(), 400, "bad_request"],
      ["oversized", JSON.stringify({ description: "a".repeat(40_000) }), json(), 413, "too_large"],
      ["latin1", '{"description":"x"}', json({ "content-type": "application/json; charset=latin1" }), 415, "unsupported_charset"],
      ["utf-16 that is not", '{"description":"x"}', json({ "content-type": "application/json; charset=utf-16" }), 400, "bad_request"],
      ["a gzip lie", '{"description":"x"}', json({ "content-encoding": "gzip" }), 400, "bad_request"],
      ["wrong types", JSON.stringify({ description: 5, expires_in_days: "soon" }), json(), 422, "invalid"],
      ["an array", JSON.stringify([1, 2]), json(), 422, "invalid"],
    ];
    for (const [label, body, headers, status, code] of cases) {
      const res = await send(`${t.baseUrl}/api/v1/user/tokens`, "POST", body, headers);
      assert.equal(res.status, status, label);
      const parsed = JSON.parse(res.text) as { error: { code: string; message: string } };
      assert.equal(parsed.error.code, code, label);
      assert.equal(typeof parsed.error.message, "string", label);
      assert.ok(!res.text.includes("description\": \"x"), `${label}: the body is not echoed`);
    }
    const path = await send(`${t.baseUrl}/api/v1/orgs/%E0%A4%A`, "GET", undefined, { authorization: `Bearer ${token}` });
    assert.equal(path.status, 400);
    assert.equal(JSON.parse(path.text).error.code, "malformed_url");
  });

  it("answers a malformed token request in the OAuth error shape with its 4xx", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const many = Array.from({ length: 30 }, (_, i) => `f${i}=x`).join("&") + "&code=c&code_verifier=v";
    const cases: [string, string, Record<string, string>, number][] = [
      ["too many fields", many, form, 413],
      ["a NUL", "grant_type=authorization_code&code=a%00b", form, 400],
      ["a gzip lie", "grant_type=authorization_code", { ...form, "content-encoding": "gzip" }, 400],
      ["unsupported charset", "grant_type=authorization_code", { "content-type": "application/x-www-form-urlencoded; charset=koi8-r" }, 415],
    ];
    for (const [label, body, headers, status] of cases) {
      const res = await send(`${t.baseUrl}/oauth/token`, "POST", body, headers);
      assert.equal(res.status, status, label);
      const parsed = JSON.parse(res.text) as { error: string; error_description: string };
      assert.equal(parsed.error, "invalid_request", label);
      assert.equal(typeof parsed.error_description, "string", label);
    }
  });
});
