import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { DESKTOP, PHONE, useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { ageRecentAuth, totpCode } from "../helpers/two-factor";

describe("two-factor authentication in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  /** Saves the page at both widths in both colour schemes, for people to look at (never compared). */
  async function shootAll(page: Page, name: string): Promise<void> {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [label, size] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
        await page.setViewportSize(size);
        await b.shoot(page, `two-factor-${name}-${scheme}-${label}`);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(DESKTOP);
  }

  async function signInWithPassword(page: Page, login: string, password: string): Promise<void> {
    await page.goto("/login");
    await b.submitSignIn(page, login, password);
  }

  it("turns TOTP on from the settings page, then signs in with a code and with a recovery code", async () => {
    const user = await buildUser({ username: "grace-hopper" });
    const page = await b.signedInPage(user);

    await page.goto("/settings/profile");
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Security", exact: true }).click();
    await page.waitForURL("**/settings/security");
    await shootAll(page, "security-off");
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
    // The QR image is drawn by the server: an inline image, no request anywhere with the secret.
    assert.match(await page.getByRole("img", { name: "QR code for your authenticator app" }).getAttribute("src") ?? "", /^data:image\/svg\+xml;base64,/);
    await shootAll(page, "security-setup");
    // Read the key from the page, as a person typing it into their app would, and compute codes
    // independently with otplib.
    const secret = (await page.getByTestId("totp-secret").innerText()).replace(/\s+/g, "");
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.getByLabel("Code from the app").fill(totpCode(secret));
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await page.waitForURL("**/settings/security/recovery-codes");
    await page.getByText("Two-factor authentication is on.").waitFor();
    const codes = (await page.getByTestId("recovery-codes").locator("code").allInnerTexts()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download as text" }).click();
    const file = await (await download).path();
    const { readFile } = await import("node:fs/promises");
    const text = await readFile(file, "utf8");
    for (const code of codes) assert.ok(text.includes(code), "the download holds every code");
    await shootAll(page, "recovery-codes");
    await page.getByRole("link", { name: "I have saved them" }).click();
    await page.getByText("10 left").waitFor();
    await shootAll(page, "security-on");

    // Sign out, then back in: password, then a code from the app.
    await b.signOut(page);
    await signInWithPassword(page, user.username, user.password);
    await page.waitForURL("**/login/two-factor");
    await shootAll(page, "login-two-factor");
    await page.getByLabel("Authentication code").fill(totpCode(secret, 1));
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.waitForURL("**/");
    await page.goto("/settings/security");
    await page.getByRole("heading", { name: "Security" }).waitFor();

    // And again with a recovery code instead of the app.
    await b.signOut(page);
    await signInWithPassword(page, user.username, user.password);
    await page.waitForURL("**/login/two-factor");
    await page.getByLabel("Authentication code").fill(codes[0]!);
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.waitForURL("**/");
    await page.getByText("You signed in with a recovery code").waitFor();
    await page.goto("/settings/security");
    await page.getByText("9 left").waitFor();

    // An old proof of identity: turning 2FA off asks for a code first.
    await ageRecentAuth(user.id, 11 * 60_000);
    await page.getByRole("button", { name: "Turn off two-factor authentication" }).click();
    await page.waitForURL("**/settings/reauthenticate**");
    await page.getByRole("heading", { name: "Confirm it's you" }).waitFor();
    await shootAll(page, "reauthenticate-code");
    await page.goto("/settings/reauthenticate?returnTo=%2Fsettings%2Ftokens");
    await shootAll(page, "reauthenticate");
  });
});
