import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { TestClient } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
const CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const SUBJECT = "New sign-in to your account";

describe("sign-in from a new device", () => {
  const t = useTestApp();

  it("mails the owner once for a new browser, not for the first sign-in or a known one", async () => {
    const user = await buildUser();
    await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, FIREFOX_LINUX) });
    await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, FIREFOX_LINUX) });

    const chrome = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, CHROME_WINDOWS) });
    const mail = await t.mailbox.waitFor(user.email, (m) => m.subject === SUBJECT);
    assert.match(mail.text, /Device: Chrome 120 on Windows 10/);
    assert.match(mail.text, /IP address: 127\.0\.0\.1/);
    assert.match(mail.text, new RegExp(`${t.baseUrl}/settings/sessions`));

    // Signed out, then back from the same browser: the earlier sign-in is remembered in the security log.
    await chrome.submit("/", {}, "/logout");
    await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, CHROME_WINDOWS) });
    // A later mail (the password change notice) proves the worker ran past any second notice.
    const here = await loginAs(t.baseUrl, user, { client: new TestClient(t.baseUrl, FIREFOX_LINUX) });
    const password = "an entirely different passphrase";
    await here.submit("/settings/password", { current_password: user.password, password, password_confirmation: password });
    await t.mailbox.waitFor(user.email, (m) => m.subject === "Your Gatehouse password was changed");
    assert.equal(t.mailbox.to(user.email).filter((m) => m.subject === SUBJECT).length, 1);
  });
});
