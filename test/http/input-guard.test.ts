import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { csrfTokenFor, TestClient } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";
import { buildOrg } from "../helpers/orgs";
import { apiRequest, buildAccessToken } from "../helpers/tokens";
import { db } from "../../src/db/knex";
import { hasBodyControl, hasUrlControl } from "../../src/http/input-guard";

describe("control-character rules", () => {
  it("refuses NUL and C0/C1 controls in bodies but lets tab, CR and LF through", () => {
    for (const bad of ["a\u0000b", "\u0001", "\u0008", "\u000B", "\u000C", "\u001B[31m", "\u007F", "\u0085", "\u009F"]) {
      assert.ok(hasBodyControl(bad), JSON.stringify(bad));
    }
    for (const ok of ["plain", "line one\r\nline two", "a\tb", "Zoë 😀", "\u00A0nbsp", ""]) assert.ok(!hasBodyControl(ok), JSON.stringify(ok));
  });

  it("refuses every control character in URLs, line breaks included", () => {
    for (const bad of ["\u0000", "\t", "\n", "\r", "\u007F", "\u0085"]) assert.ok(hasUrlControl(`/u/a${bad}b`), JSON.stringify(bad));
    assert.ok(!hasUrlControl("/u/zoë"));
  });
});

describe("control characters in requests", () => {
  const t = useTestApp();

  async function rowCounts() {
    const tables = ["users", "organizations", "teams", "access_tokens", "memberships"];
    return Object.fromEntries(await Promise.all(tables.map(async (name) => [name, Number((await db(name).count({ n: "*" }))[0]!.n)])));
  }

  it("answers a NUL in the login form with a 400 page that says why, signed out and without a CSRF token too", async () => {
    const user = await buildUser();
    const client = new TestClient(t.baseUrl);
    const page = await client.get("/login");
    const token = csrfTokenFor(page.html, "/login");
    const attempts: Record<string, string>[] = [{ _csrf: token, login: `${user.username}\u0000`, password: user.password }, { login: "a\u0000", password: "x" }];
    for (const fields of attempts) {
      const res = await client.postRaw("/login", fields);
      assert.equal(res.status, 400);
      assert.match(res.html, /control character \(such as a NUL byte\)/);
      assert.equal(res.headers.get("set-cookie")?.includes("gatehouse.sid") ?? false, false, "no session was started");
    }
  });

  it("answers NUL and control characters in route parameters and query strings with 400, never 500", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const org = await buildOrg(user);
    for (const path of ["/u/a%00b", "/u/%01", `/orgs/${org.slug}%00`, `/orgs/${org.slug}/teams/1%00`, "/settings/tokens/1%00/revoke", "/invitations/abc%00", "/password/reset/x%0Ay", "/settings/tokens?page=1%00", "/login?next=%2F%0D%0ASet-Cookie"]) {
      const res = await client.get(path);
      assert.equal(res.status, 400, path);
      assert.match(res.html, /address contains a control character/, path);
    }
  });

  it("refuses a NUL in a team name and a token description, storing nothing", async () => {
    const user = await buildUser();
    const org = await buildOrg(user);
    const client = await loginAs(t.baseUrl, user);
    const before = await rowCounts();
    const team = await client.submit(`/orgs/${org.slug}/teams`, { name: "core\u0000team" });
    assert.equal(team.status, 400);
    const token = await client.submit("/settings/tokens", { description: "laptop\u0000", expires_in_days: "30" });
    assert.equal(token.status, 400);
    const bio = await client.submit("/settings/profile", { display_name: "Ana", bio: "escape \u001B[2J" });
    assert.equal(bio.status, 400);
    assert.deepEqual(await rowCounts(), before);
  });

  it("lets line breaks through to a textarea's own rules", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/profile", { display_name: "Ana", bio: "line one\r\nline two" });
    assert.equal(res.status, 302);
    assert.equal((await db("users").where({ id: user.id }).first()).bio, "line one\nline two");
  });

  it("answers control characters in the API with 400 in the one error shape, naming the field", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user);
    const before = await rowCounts();
    const res = await apiRequest(t.baseUrl, token, "POST", "/api/v1/user/tokens", { description: "ci\u0000", expires_in_days: 30 });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: {
        code: "invalid_characters",
        message: "The request contains a control character (such as a NUL byte), which Gatehouse does not accept. Remove it and try again.",
        fields: { description: "Contains a control character (such as a NUL byte), which is not accepted." },
      },
    });
    const nested = await apiRequest(t.baseUrl, token, "PATCH", "/api/v1/user", { links: [{ deep: ["ok", "x\u0085"] }] });
    assert.equal(nested.status, 400);
    assert.deepEqual(Object.keys((await nested.json()).error.fields), ["links"]);
    const key = await apiRequest(t.baseUrl, token, "PATCH", "/api/v1/user", { "bio\u0000": "x" });
    assert.equal(key.status, 400);
    assert.deepEqual(Object.keys((await key.json()).error.fields), ["_body"], "an unsafe key is never echoed");
    for (const path of ["/api/v1/orgs/a%00b", "/api/v1/user/tokens/1%00", "/api/v1/orgs?x=%07"]) {
      const r = await apiRequest(t.baseUrl, token, "GET", path);
      assert.equal(r.status, 400, path);
      assert.equal((await r.json()).error.code, "invalid_characters");
    }
    assert.deepEqual(await rowCounts(), before);
  });

  it("does not overflow on a deeply nested JSON body", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user);
    const deep = `${"[".repeat(15_000)}"\\u0000"${"]".repeat(15_000)}`;
    const res = await fetch(`${t.baseUrl}/api/v1/user`, { method: "PATCH", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: `{"bio":${deep}}` });
    assert.equal(res.status, 400);
  });
});
