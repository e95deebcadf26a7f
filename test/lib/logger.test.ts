import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { TestClient } from "../helpers/client";
import { linkIn } from "../helpers/mailbox";
import { createLogger, loggablePath } from "../../src/lib/logger";
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
      ["/PASSWORD/Reset/abcDEF123", "/PASSWORD/Reset/[redacted]"],
      ["/settings/profile", "/settings/profile"],
      ["/password/forgot", "/password/forgot"],
    ];
    for (const [url, expected] of cases) assert.equal(loggablePath(url), expected, url);
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
      secrets.push(signupPage.html.match(/name="_csrf" value="([^"]+)"/)![1]!);
      assert.equal((await client.submit("/signup", { username: "ana", email: "ana@example.test", password })).status, 200);
      const confirm = await newestLink(client, "ana@example.test", "/email/confirm/");
      secrets.push(confirm.split("/").at(-1)!);
      await client.get(confirm);
      assert.equal((await client.submit(confirm, {})).status, 302);

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
  });
}
