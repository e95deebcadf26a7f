import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import express from "express";
import { useTestApp } from "../helpers/app";
import { TestClient, pageCsrfToken } from "../helpers/client";
import { linkIn } from "../helpers/mailbox";
import { createLogger, loggablePath, serializeError } from "../../src/lib/logger";
import { errorHandler } from "../../src/http/errors";
import { requestLogger } from "../../src/http/request-logger";
import { buildUser } from "../helpers/factories";
import { SESSION_COOKIE } from "../../src/http/session";

/** A pino destination that keeps every line written to it. */
function logSink() {
  const lines: string[] = [];
  return {
    lines,
    write(chunk: string) {
      lines.push(...chunk.split("\n").filter(Boolean));
    },
  };
}

describe("loggablePath", () => {
  it("drops the query string and masks the secret segment of token links", () => {
    const cases: [string, string][] = [
      ["/login?next=%2Fsettings&password=hunter2", "/login"],
      ["/email/confirm/abcDEF123_-xyz", "/email/confirm/[redacted]"],
      ["/email/confirm/abcDEF123_-xyz?utm=1", "/email/confirm/[redacted]"],
      ["/password/reset/abcDEF123_-xyz", "/password/reset/[redacted]"],
      ["/password/reset/abcDEF123_-xyz/", "/password/reset/[redacted]/"],
      ["/invitations/abcDEF123/accept", "/invitations/[redacted]/accept"],
      ["/not-me/abcDEF123_-xyz", "/not-me/[redacted]"],
      ["/Not-Me/abcDEF123", "/Not-Me/[redacted]"],
      ["/PASSWORD/Reset/abcDEF123", "/PASSWORD/Reset/[redacted]"],
      ["/settings/profile", "/settings/profile"],
      ["/password/forgot", "/password/forgot"],
      ["http://gatehouse.test/password/reset/abcDEF123", "/password/reset/[redacted]"],
      ["https://gatehouse.test:8443/invitations/abcDEF123/accept?x=1", "/invitations/[redacted]/accept"],
      ["//password//reset/abcDEF123", "//password//reset/[redacted]"],
      ["/%70assword/%72eset/abcDEF123", "/%70assword/%72eset/[redacted]"],
      ["/email/confirm/abc#frag", "/email/confirm/[redacted]"],
      ["/orgs/acme/invitations/12/revoke", "/orgs/acme/invitations/12/revoke"],
      ["gatehouse.test/password/reset/abcDEF123", "[unparsed request target]"],
    ];
    for (const [url, expected] of cases) assert.equal(loggablePath(url), expected, url);
  });
});

describe("serializeError", () => {
  it("drops the body body-parser hangs on its errors, and the message that may quote it", () => {
    const parseError = Object.assign(new SyntaxError(`Unexpected token 'p', "password=pw-in-message" is not valid JSON`), {
      body: "password=pw-in-body", status: 400, type: "entity.parse.failed",
    });
    const out = JSON.stringify(serializeError(parseError));
    assert.ok(!out.includes("pw-in-body") && !out.includes("pw-in-message"), out);
    assert.deepEqual(JSON.parse(out), { type: "SyntaxError", errorType: "entity.parse.failed", message: "[redacted: the error carried the request body]", status: 400 });
  });

  it("keeps what explains other errors, and only that", () => {
    const err = Object.assign(new Error("duplicate key"), { code: "23505", constraint: "users_email_key", params: ["pw-param"], raw: "pw-raw" });
    const out = serializeError(err) as Record<string, unknown>;
    assert.equal(out.message, "[redacted: the error carried the request body]", "a raw string is treated as a body");
    const plain = serializeError(Object.assign(new Error("boom", { cause: new Error("deeper") }), { params: ["pw-param"] })) as Record<string, unknown>;
    assert.equal(plain.message, "boom");
    assert.match(String(plain.stack), /boom/);
    assert.deepEqual((plain.cause as Record<string, unknown>).message, "deeper");
    assert.ok(!JSON.stringify(plain).includes("pw-param"));
  });

  it("holds for errors logged through the request logger, which serializes them with pino's serializer first", async () => {
    const sink = logSink();
    const app = express();
    app.use(requestLogger(createLogger("info", sink)));
    app.post("/api/boom", () => {
      throw Object.assign(new Error(`Unexpected end of JSON input in "pw-in-message`), { body: '{"password":"pw-in-body', status: 500 });
    });
    app.use(errorHandler);
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/boom`, { method: "POST" });
      assert.equal(res.status, 500);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const logged = sink.lines.join("\n");
    assert.match(logged, /request failed/);
    assert.ok(!logged.includes("pw-in-body") && !logged.includes("pw-in-message"), logged);
  });
});

describe("createLogger", () => {
  it("censors passwords, tokens, cookies and Authorization headers wherever they sit", () => {
    const sink = logSink();
    const logger = createLogger("info", sink);
    logger.info({
      password: "pw-top", body: { password: "pw-nested", password_confirmation: "pw-confirm", _csrf: "csrf-value" },
      token: "token-top", user: { token: "token-nested" },
      headers: { cookie: "cookie-plain", authorization: "Bearer auth-plain" },
      req: { headers: { cookie: "cookie-req", authorization: "Bearer auth-req" } },
    }, "careless");
    assert.equal(sink.lines.length, 1);
    const line = sink.lines[0]!;
    for (const secret of ["pw-top", "pw-nested", "pw-confirm", "csrf-value", "token-top", "token-nested", "cookie-plain", "auth-plain", "cookie-req", "auth-req"]) {
      assert.ok(!line.includes(secret), `${secret} in ${line}`);
    }
    assert.equal(JSON.parse(line).msg, "careless");
  });

  it("writes nothing below its level", () => {
    const sink = logSink();
    createLogger("warn", sink).info("quiet");
    assert.equal(sink.lines.length, 0);
  });
});

for (const [mode, env] of [["with SMTP", {}], ["with the development outbox", { SMTP_URL: "" }]] as const) {
  describe(`app logs (${mode})`, () => {
    const sink = logSink();
    const t = useTestApp({ ...env, LOG_LEVEL: "trace" }, { logDestination: sink });

    /** The newest mail to `to` that links to `path`, from SMTP or from the development outbox. */
    async function newestLink(client: TestClient, to: string, path: string): Promise<string> {
      if (!t.config.smtpUrl) {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const list = await client.get("/dev/mail");
          const id = list.html.match(/href="\/dev\/mail\/(\d+)"/)?.[1];
          if (id) {
            const mail = await client.get(`/dev/mail/${id}`);
            const link = mail.html.match(new RegExp(`https?://[^\\s<"]+${path}[^\\s<"]+`));
            if (link && mail.html.includes(to)) return new URL(link[0]).pathname;
          }
          assert.ok(Date.now() < deadline, `no mail to ${to}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const mail = await t.mailbox.waitFor(to, (m) => m.text.includes(path));
      return new URL(linkIn(mail, path)).pathname;
    }

    it("never holds a password, token, link secret, cookie or Authorization header through signup, confirm, sign-in and reset", async () => {
      const password = "Logged-Never 1st passphrase";
      const newPassword = "Logged-Never 2nd passphrase";
      const wrongPassword = "Logged-Never wrong guess";
      const secrets: string[] = [password, newPassword, wrongPassword];
      const client = new TestClient(t.baseUrl);

      const signupPage = await client.get("/signup");
      secrets.push(pageCsrfToken(signupPage.html));
      assert.equal((await client.submit("/signup", { username: "ana", email: "ana@example.test", password })).status, 200);
      const confirm = await newestLink(client, "ana@example.test", "/email/confirm/");
      secrets.push(confirm.split("/").at(-1)!);
      await client.get(confirm);
      assert.equal((await client.submit(confirm, {})).status, 302);
      // Confirming in the browser that signed up signed in; sign out to go through the password sign-in too.
      assert.equal((await client.submit("/welcome", {}, "/logout")).status, 302);

      assert.equal((await client.submit("/login", { login: "ana", password: wrongPassword })).status, 422);
      assert.equal((await client.submit("/login", { login: "ana", password })).status, 302);
      const sid = client.cookie(SESSION_COOKIE)!;
      secrets.push(sid, decodeURIComponent(sid), decodeURIComponent(sid).slice(2).split(".")[0]!);
      await client.request("GET", "/settings/profile?token=query-secret-1", undefined, { authorization: "Bearer header-secret-2" });
      secrets.push("query-secret-1", "header-secret-2");
      await client.request("GET", "/api/v1/user", undefined, { authorization: "Bearer header-secret-3" });
      secrets.push("header-secret-3");

      assert.equal((await client.submit("/password/forgot", { email: "ana@example.test" })).status, 200);
      const reset = await newestLink(client, "ana@example.test", "/password/reset/");
      secrets.push(reset.split("/").at(-1)!);
      const shouted = await client.get(reset.replace("/password/reset/", "/PASSWORD/RESET/"));
      assert.equal(shouted.status, 200, "routing ignores case, so masking must too");
      assert.equal((await client.submit(reset, { password: newPassword, password_confirmation: "mismatch" })).status, 422);
      assert.equal((await client.submit(reset, { password: newPassword, password_confirmation: newPassword })).status, 302);
      assert.equal((await client.submit("/login", { login: "ana@example.test", password: newPassword })).status, 302);
      await new Promise((r) => setTimeout(r, 300));

      const lines = sink.lines;
      assert.ok(lines.length > 10, "the flow was logged");
      for (const line of lines) {
        for (const secret of secrets) assert.ok(!line.includes(secret), `log line holds a secret (${secret.slice(0, 12)}…): ${line}`);
        assert.doesNotMatch(line, /gatehouse\.sid/);
      }
      const requests = lines.map((l) => JSON.parse(l) as { req?: { id?: string; path?: string } }).filter((l) => l.req);
      assert.ok(requests.length > 0);
      for (const r of requests) assert.match(r.req!.id ?? "", /^[0-9a-f-]{36}$/, "every request line carries a request id");
      const paths = requests.map((r) => r.req!.path);
      assert.ok(paths.includes("/email/confirm/[redacted]"));
      assert.ok(paths.includes("/password/reset/[redacted]"));
    });

    it("never holds a request body, an OAuth code or verifier, or a token from an absolute-form request target", async () => {
      const user = await buildUser();
      const secrets = ["pw-too-many-fields", "code-secret-1", "verifier-secret-2".padEnd(50, "v"), "reset-token-secret-3", user.password];
      const client = new TestClient(t.baseUrl);
      const page = await client.get("/login");
      const csrf = pageCsrfToken(page.html);
      const many = Array.from({ length: 150 }, (_, i) => `f${i}=x`).join("&");
      assert.equal((await client.request("POST", "/login", `_csrf=${csrf}&${many}&login=${user.username}&password=pw-too-many-fields`)).status, 413);
      assert.equal((await client.request("POST", "/login", `_csrf=${csrf}&login=${user.username}%00&password=${encodeURIComponent(user.password)}`)).status, 400);
      const token = (body: string) => client.request("POST", "/oauth/token", body);
      const oauth = `grant_type=authorization_code&client_id=terraform-cli&redirect_uri=http://localhost:10000/login&code=${secrets[1]}&code_verifier=${secrets[2]}`;
      assert.equal((await token(`${oauth}&${Array.from({ length: 30 }, (_, i) => `f${i}=x`).join("&")}`)).status, 413);
      assert.equal((await token(`${oauth}%00`)).status, 400);
      assert.equal((await token(oauth)).status, 400);
      assert.equal((await client.request("POST", "/api/v1/user/tokens", `{"description": "${secrets[1]}`, { "content-type": "application/json" })).status, 400);

      const { port } = new URL(t.baseUrl);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), "127.0.0.1", () => {
          socket.write(`GET http://127.0.0.1:${port}/password/reset/${secrets[3]} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
        });
        let data = "";
        socket.on("data", (chunk) => (data += chunk));
        socket.on("end", () => resolve(data));
        socket.on("error", reject);
      });
      assert.match(raw, /^HTTP\/1\.1 410[^]*This link no longer works/, "Express routes an absolute-form target like its path (to the reset page)");
      await new Promise((r) => setTimeout(r, 200));

      for (const line of sink.lines) {
        for (const secret of secrets) assert.ok(!line.includes(secret), `log line holds a secret (${secret.slice(0, 12)}…): ${line}`);
      }
      const paths = sink.lines.map((l) => (JSON.parse(l) as { req?: { path?: string } }).req?.path);
      assert.ok(paths.includes("/password/reset/[redacted]"));
    });
  });
}
