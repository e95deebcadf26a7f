import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { TestClient } from "../../helpers/client";
import { findUserByUsername } from "../../../src/db/users";

const SIGNUP = { username: "ana", email: "ana@example.test", password: "a long and quiet harbour" };

/** Waits until the outbox lists a mail and returns its id. */
async function firstOutboxId(client: TestClient): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = await client.get("/dev/mail");
    assert.equal(list.status, 200);
    const id = list.html.match(/href="\/dev\/mail\/(\d+)"/)?.[1];
    if (id) return id;
    assert.ok(Date.now() < deadline, "no mail appeared in the outbox");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("development outbox without SMTP_URL", () => {
  const t = useTestApp({ NODE_ENV: "development", SMTP_URL: "" });

  it("lists every mail and shows it, with a link that works, and sends nothing over SMTP", async () => {
    const client = new TestClient(t.baseUrl);
    assert.equal((await client.submit("/signup", SIGNUP)).status, 200);
    const id = await firstOutboxId(client);
    const list = await client.get("/dev/mail");
    assert.match(list.html, /ana@example\.test/);
    assert.match(list.html, /Confirm your email address for Gatehouse/);

    const mail = await client.get(`/dev/mail/${id}`);
    assert.equal(mail.status, 200);
    assert.match(mail.html, /Confirm your email address for Gatehouse/);
    const link = mail.html.match(/http:\/\/[^\s<"]+\/email\/confirm\/[A-Za-z0-9_-]+/)?.[0];
    assert.ok(link, "the text part with the confirmation link is shown");
    assert.ok(link.startsWith(`${t.baseUrl}/`));

    const confirmed = await new TestClient(t.baseUrl).submit(new URL(link).pathname, {});
    assert.equal(confirmed.status, 302);
    assert.ok((await findUserByUsername("ana"))!.email_confirmed_at);
    assert.equal(t.mailbox.messages.length, 0, "no SMTP server was used");
  });

  it("serves the HTML part sandboxed, framable only by the outbox", async () => {
    const client = new TestClient(t.baseUrl);
    await client.submit("/signup", SIGNUP);
    const id = await firstOutboxId(client);
    const html = await client.get(`/dev/mail/${id}/html`);
    assert.equal(html.status, 200);
    const csp = html.headers.get("content-security-policy") ?? "";
    assert.match(csp, /sandbox/);
    assert.match(csp, /frame-ancestors 'self'/);
    assert.doesNotMatch(csp, /script-src/);
    assert.match(csp, /default-src 'none'/);
  });

  it("announces the outbox on every page", async () => {
    const page = await new TestClient(t.baseUrl).get("/login");
    assert.match(page.html, /href="\/dev\/mail"/);
  });

  it("answers 404 for mails that do not exist", async () => {
    const client = new TestClient(t.baseUrl);
    for (const path of ["/dev/mail/999999", "/dev/mail/abc", "/dev/mail/99999999999999999999", "/dev/mail/999999/html"]) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
    }
  });
});

describe("development outbox in production", () => {
  // Production requires SMTP_URL (useTestApp points it at the test mailbox).
  const t = useTestApp({ NODE_ENV: "production", SESSION_SECRET: "p".repeat(40), DATABASE_URL: "postgres://unused.example.test/gatehouse" });

  it("does not exist, and no page mentions it", async () => {
    const client = new TestClient(t.baseUrl);
    await client.submit("/signup", SIGNUP);
    for (const path of ["/dev/mail", "/dev/mail/1", "/dev/mail/1/html"]) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
      assert.match(res.html, /Page not found/);
    }
    assert.doesNotMatch((await client.get("/login")).html, /\/dev\/mail/);
  });
});

describe("development outbox with SMTP_URL", () => {
  const t = useTestApp({ NODE_ENV: "development" });

  it("does not exist when real mail is sent", async () => {
    const client = new TestClient(t.baseUrl);
    await client.submit("/signup", SIGNUP);
    await t.mailbox.waitFor("ana@example.test");
    assert.equal((await client.get("/dev/mail")).status, 404);
    assert.equal((await client.get("/dev/mail/1")).status, 404);
  });
});
