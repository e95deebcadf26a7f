import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { TestClient } from "../helpers/client";
import { buildUser } from "../helpers/factories";
import type { ReceivedMail } from "../helpers/mailbox";

/** The public URL the operator configured; deliberately not the address the tests talk to. */
const PUBLIC_URL = "http://accounts.example.test:8443";

/** Every absolute link in a mail's text and HTML parts. */
function linksIn(mail: ReceivedMail): string[] {
  const hrefs = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
  const texts = mail.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
  return [...hrefs, ...texts].filter((l) => /^https?:/.test(l));
}

/** Asserts every link in `mail` starts with BASE_URL and the host the request came to appears nowhere. */
function assertAllFromBaseUrl(mail: ReceivedMail, expectedPaths: string[], requestHost: string) {
  assert.ok(mail.text.trim(), `"${mail.subject}" has a text part`);
  assert.ok(mail.html.trim(), `"${mail.subject}" has an HTML part`);
  const links = linksIn(mail);
  assert.ok(links.length > 0, `"${mail.subject}" has links`);
  for (const link of links) assert.ok(link === PUBLIC_URL || link.startsWith(`${PUBLIC_URL}/`), `"${mail.subject}" links to ${link}`);
  for (const path of expectedPaths) {
    assert.ok(links.some((l) => new URL(l).pathname.startsWith(path)), `"${mail.subject}" links to ${path} in ${links.join(", ")}`);
  }
  assert.ok(!(mail.text + mail.html).includes(requestHost), `"${mail.subject}" mentions the request's host`);
}

describe("links in mails", () => {
  const t = useTestApp({ BASE_URL: PUBLIC_URL });

  it("builds confirmation and signup-notice links from BASE_URL, never from the request's host", async () => {
    const client = new TestClient(t.baseUrl);
    await client.submit("/signup", { username: "ana", email: "ana@example.test", password: "a long and quiet harbour" });
    assertAllFromBaseUrl(await t.mailbox.waitFor("ana@example.test"), ["/email/confirm/"], new URL(t.baseUrl).host);

    const owner = await buildUser({ email: "owner@example.test" });
    await new TestClient(t.baseUrl).submit("/signup", { username: "stranger", email: owner.email, password: "violet kites over the bay" });
    assertAllFromBaseUrl(await t.mailbox.waitFor(owner.email), ["/login", "/password/forgot"], new URL(t.baseUrl).host);
  });

  it("builds reset and password-changed links from BASE_URL", async () => {
    const user = await buildUser({ email: "ana@example.test" });
    await new TestClient(t.baseUrl).submit("/password/forgot", { email: user.email });
    const reset = await t.mailbox.waitFor(user.email, (m) => /Reset/.test(m.subject));
    assertAllFromBaseUrl(reset, ["/password/reset/"], new URL(t.baseUrl).host);

    const path = new URL(reset.text.match(/https?:\/\/\S+\/password\/reset\/\S+/)![0]).pathname;
    const done = await new TestClient(t.baseUrl).submit(path, { password: "a brand new passphrase", password_confirmation: "a brand new passphrase" });
    assert.equal(done.status, 302);
    assertAllFromBaseUrl(await t.mailbox.waitFor(user.email, (m) => /was changed/.test(m.subject)), ["/password/forgot"], new URL(t.baseUrl).host);
  });
});
