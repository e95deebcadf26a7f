import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { buildUser } from "../helpers/factories";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

describe("password, sessions and notifications in a real browser", () => {
  const t = useTestApp();
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  async function newPage(opts: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ baseURL: t.baseUrl, viewport: DESKTOP, ...opts });
    return context.newPage();
  }

  /** Saves a full-page screenshot for people to look at (never compared). */
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
  }

  async function signIn(page: Page, login: string, password: string): Promise<void> {
    await page.goto("/login");
    await page.getByLabel("Username or email").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
  }

  it("revokes a session from another browser, saves notification choices, and a password change signs the other browser out", async () => {
    const user = await buildUser({ username: "grace-h" });
    const laptop = await newPage();
    const other = await newPage({ colorScheme: "dark", userAgent: FIREFOX_LINUX });
    await signIn(laptop, user.username, user.password);
    await signIn(other, user.username, user.password);

    // The other browser sees both sessions and signs the laptop out.
    await other.goto("/settings/sessions");
    const rows = other.locator("tbody tr");
    assert.equal(await rows.count(), 2);
    assert.match(await rows.filter({ hasText: "This device" }).innerText(), /Firefox 120\s+on Linux/);
    await shoot(other, "dark-settings-sessions");
    await other.getByRole("button", { name: /^Sign out Chrome/ }).click();
    await other.getByText(/The session of Chrome \d+ on Linux was signed out\./).waitFor();
    await laptop.goto("/settings/profile");
    await laptop.waitForURL("**/login?next=*");

    // Back on the laptop: two sessions again, this time seen from the laptop.
    await signIn(laptop, user.username, user.password);
    await laptop.goto("/settings/sessions");
    await laptop.getByText("This device").waitFor();
    await shoot(laptop, "light-settings-sessions");

    // Notification choices: security is shown on and cannot be changed; the others are saved.
    await laptop.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Notifications" }).click();
    const security = laptop.getByLabel(/Security/);
    assert.equal(await security.isChecked(), true);
    assert.equal(await security.isDisabled(), true);
    await laptop.getByLabel("Product news").check();
    await laptop.getByLabel("Organizations").uncheck();
    await laptop.getByRole("button", { name: "Save notification settings" }).click();
    await laptop.getByText("Your notification settings have been saved.").waitFor();
    assert.equal(await laptop.getByLabel("Product news").isChecked(), true);
    assert.equal(await laptop.getByLabel("Organizations").isChecked(), false);
    await shoot(laptop, "light-settings-notifications");
    await laptop.emulateMedia({ colorScheme: "dark" });
    await shoot(laptop, "dark-settings-notifications");
    await laptop.emulateMedia({ colorScheme: "light" });

    // A wrong current password is answered beside its field.
    await laptop.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Password" }).click();
    await laptop.getByLabel("Current password").fill("this is not it at all");
    await laptop.getByLabel("New password", { exact: true }).fill("harbour lights over the bay");
    await laptop.getByLabel("Confirm new password").fill("harbour lights over the bay");
    await laptop.getByRole("button", { name: "Change password" }).click();
    await laptop.getByText("That is not your current password.").waitFor();
    assert.equal(await laptop.getByLabel("Current password").getAttribute("aria-invalid"), "true");

    // On a phone, in the dark, sessions are cards: no sideways scrolling.
    await other.setViewportSize(PHONE);
    await other.goto("/settings/sessions");
    await shoot(other, "phone-dark-settings-sessions");
    const overflow = await other.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the sessions page scrolls sideways by ${overflow}px on a phone`);
    await other.setViewportSize(DESKTOP);
    await other.goto("/settings/password");
    await shoot(other, "dark-settings-password");

    await laptop.getByLabel("Current password").fill(user.password);
    await laptop.getByLabel("New password", { exact: true }).fill("harbour lights over the bay");
    await laptop.getByLabel("Confirm new password").fill("harbour lights over the bay");
    await laptop.getByRole("button", { name: "Change password" }).click();
    await laptop.getByText("Your password has been changed. Every other session was signed out.").waitFor();
    await shoot(laptop, "light-settings-password");

    // The other browser's next request is signed out; the laptop stays signed in.
    await other.goto("/settings/sessions");
    await other.waitForURL("**/login?next=*");
    await laptop.goto("/settings/sessions");
    assert.equal(await laptop.locator("tbody tr").count(), 1);
    await t.mailbox.waitFor(user.email, (m) => m.subject === "Your Gatehouse password was changed");
  });
});
