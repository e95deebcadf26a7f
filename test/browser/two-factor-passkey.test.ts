import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CDPSession, Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { csrfTokenFor } from "../helpers/client";
import { buildUser, loginAs } from "../helpers/factories";
import { SoftAuthenticator } from "../helpers/soft-authenticator";
import { enableTwoFactor } from "../helpers/two-factor";

describe("a passkey as the second step of sign-in, in a real browser", () => {
  // WebAuthn refuses IP addresses as relying parties: the app is named localhost.
  const t = useTestApp({}, { baseHost: "localhost" });
  const tb = useBrowser(t);

  /** A security key that holds discoverable credentials and verifies its user. */
  async function addAuthenticator(cdp: CDPSession): Promise<void> {
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "usb", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
  }

  async function submitPassword(page: Page, user: { username: string; password: string }): Promise<void> {
    await page.goto("/login");
    await tb.submitSignIn(page, user.username, user.password);
    await page.waitForURL(`${t.baseUrl}/login/two-factor`);
  }

  it("signs in with a password and then the passkey, instead of a code", async () => {
    const user = await buildUser({ username: "hedy" });
    const page = await tb.newPage();
    const cdp = await page.context().newCDPSession(page);
    await addAuthenticator(cdp);
    await page.goto("/login");
    await tb.submitSignIn(page, user.username, user.password);
    await page.waitForURL(`${t.baseUrl}/`);
    await page.goto("/settings/passkeys");
    await page.getByLabel("Name", { exact: true }).fill("Security key");
    await page.getByRole("button", { name: "Add passkey" }).click();
    await page.locator(".flash--success").filter({ hasText: "Security key" }).waitFor();
    await enableTwoFactor(await loginAs(t.baseUrl, user));

    await page.context().clearCookies();
    await submitPassword(page, user);
    const button = page.getByRole("button", { name: "Use a passkey" });
    await button.waitFor();
    await tb.shoot(page, "two-factor-passkey-light-1280");
    await button.click();
    await page.waitForURL(`${t.baseUrl}/`);
    const last = await db("security_events").where({ user_id: user.id, action: "sign_in" }).orderBy("id", "desc").first();
    assert.equal(last.details.method, "password+passkey");

    // The same page in the other looks (the button shows for the account, whatever the browser holds).
    for (const [colorScheme, width] of [["dark", 1280], ["light", 390], ["dark", 390]] as const) {
      const other = await tb.newPage({ colorScheme, viewport: { width, height: 800 } });
      await submitPassword(other, user);
      await other.getByRole("button", { name: "Use a passkey" }).waitFor();
      await tb.shoot(other, `two-factor-passkey-${colorScheme}-${width}`);
    }
  });

  it("keeps the button hidden without JavaScript", async () => {
    const user = await buildUser({ username: "joan" });
    const settings = await loginAs(t.baseUrl, user);
    const key = new SoftAuthenticator(t.baseUrl);
    const list = await settings.get("/settings/passkeys");
    const csrf = csrfTokenFor(list.html, "/settings/passkeys");
    const options = JSON.parse((await settings.postRaw("/settings/passkeys/options", { _csrf: csrf })).html).options;
    assert.equal((await settings.postRaw("/settings/passkeys", { _csrf: csrf, name: "Key", response: key.register(options) })).status, 302);
    await enableTwoFactor(settings);

    const page = await tb.newPage({ javaScriptEnabled: false });
    await submitPassword(page, user);
    assert.equal(await page.getByRole("button", { name: "Use a passkey" }).isVisible(), false);
    assert.equal(await page.getByLabel("Authentication code").isVisible(), true);
  });
});
