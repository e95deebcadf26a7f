import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe("password accounts in a real browser", () => {
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
    await page.getByLabel("Username or email").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  async function signOut(page: Page): Promise<void> {
    await page.locator(".user-menu summary").click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
  }

  it("signs up, confirms from the mail, signs in and out, and resets the password", async () => {
    const page = await newPage();
    const email = "rosa.parks@example.test";
    const password = "quiet library afternoon";
    const newPassword = "seven lanterns by the river";

    await page.goto("/");
    await shoot(page, "light-landing");
    await page.getByRole("main").getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Username").fill("rosa-parks");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    assert.match(await page.locator("main").innerText(), /rosa\.parks@example\.test/);
    await shoot(page, "light-check-email");

    // Signed in before confirming: every page asks to confirm first.
    await page.getByRole("link", { name: "Back to sign in" }).click();
    await signIn(page, "rosa-parks", password);
    await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
    await shoot(page, "light-confirm-pending");
    await page.goto("/settings/profile");
    await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
    await page.getByRole("main").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");

    const confirmMail = await t.mailbox.waitFor(email, (m) => /confirm/i.test(m.subject));
    const confirmLink = linkIn(confirmMail, "/email/confirm/");
    await page.goto(confirmLink);
    await shoot(page, "light-confirm");
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.waitForURL("**/login");
    await page.getByText("Your email address is confirmed.").waitFor();
    await shoot(page, "light-login-confirmed");

    // A used link says so instead of failing silently.
    await page.goto(confirmLink);
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.getByRole("heading", { name: "This link no longer works" }).waitFor();
    await shoot(page, "light-link-invalid");

    await page.goto("/login");
    await signIn(page, "Rosa.Parks@example.test", "not my password at all");
    await page.getByText("Incorrect username, email or password.").waitFor();
    assert.equal(await page.getByLabel("Username or email").inputValue(), "Rosa.Parks@example.test");
    assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "");
    await shoot(page, "light-login-error");
    await signIn(page, "Rosa.Parks@example.test", password);
    await page.getByRole("heading", { name: "Welcome, rosa-parks" }).waitFor();
    await shoot(page, "light-home");

    await page.locator(".user-menu summary").click();
    await shoot(page, "light-user-menu");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Profile" }).waitFor();
    assert.match(await page.locator("main").innerText(), /rosa\.parks@example\.test/);
    await shoot(page, "light-settings-profile");

    await signOut(page);
    await page.getByText("You have signed out.").waitFor();
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await shoot(page, "light-forgot");
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    await shoot(page, "light-forgot-sent");

    const resetMail = await t.mailbox.waitFor(email, (m) => /reset/i.test(m.subject));
    const resetLink = linkIn(resetMail, "/password/reset/");
    await page.goto(resetLink);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill("seven lanterns by the sea");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("The two passwords do not match.").waitFor();
    await shoot(page, "light-reset-error");
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForURL("**/login");
    await shoot(page, "light-login-after-reset");
    await page.getByText("Your password has been changed").waitFor();

    await signIn(page, "rosa-parks", password);
    await page.getByText("Incorrect username, email or password.").waitFor();
    await signIn(page, "rosa-parks", newPassword);
    await page.getByRole("heading", { name: "Welcome, rosa-parks" }).waitFor();

    await page.goto(resetLink);
    await page.getByRole("heading", { name: "This link no longer works" }).waitFor();
    await page.goto("/no-such-page");
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await shoot(page, "light-404");
  });

  it("keeps what was typed and explains a short password under its field", async () => {
    const page = await newPage();
    await page.goto("/signup");
    await page.getByLabel("Username").fill("short-pw");
    await page.getByLabel("Email address").fill("short@example.test");
    await page.getByLabel("Password").fill("too short");
    await page.getByRole("button", { name: "Create account" }).click();
    const error = page.locator("#field-password-error");
    await error.waitFor();
    assert.match(await error.innerText(), /at least 12 characters/i);
    assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByLabel("Username").inputValue(), "short-pw");
    assert.equal(await page.getByLabel("Email address").inputValue(), "short@example.test");
    assert.equal(await page.getByLabel("Password").inputValue(), "");
    await shoot(page, "light-signup-errors");

    // A form whose session is gone answers with the "form expired" page, not a crash.
    await page.context().clearCookies();
    await page.getByLabel("Password").fill("long enough but session gone");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("form expired").waitFor();
    await shoot(page, "light-error-403");
  });

  it("fits a phone screen and follows the dark theme", async () => {
    const user = await buildUser({ username: "ada-l", displayName: "Ada Lovelace" });
    // Every page in dark; the busiest ones again at phone width, light and dark.
    const themes = [["dark", DESKTOP, true], ["phone", PHONE, false], ["phone-dark", PHONE, false]] as const;
    for (const [theme, viewport, everyPage] of themes) {
      const brief = theme === "phone-dark";
      const page = await newPage({ viewport, colorScheme: theme.endsWith("dark") ? "dark" : "light" });
      const visit = async (path: string, name: string) => {
        if (page.url() !== new URL(path, t.baseUrl).href) await page.goto(path);
        await shoot(page, `${theme}-${name}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at ${viewport.width}px wide`);
      };
      await visit("/", "landing");
      if (!brief) {
        await page.goto("/signup");
        await page.getByRole("button", { name: "Create account" }).click();
        await page.locator(".field__error").first().waitFor();
        await visit("/signup", "signup-errors");
      }
      if (everyPage) {
        await visit("/password/forgot", "forgot");
        await visit("/password/reset/not-a-real-token", "link-invalid");
      }
      if (brief) await page.goto("/login");
      else await visit("/login", "login");
      await signIn(page, user.username, user.password);
      await page.getByRole("heading", { name: "Welcome, Ada Lovelace" }).waitFor();
      await visit("/", "home");
      if (!brief) await visit("/settings/profile", "settings-profile");
      if (everyPage) await visit("/nothing-here", "404");
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number) as [number, number, number];
      assert.equal(r + g + b < 150, theme.endsWith("dark"), `body background ${background} in the ${theme} theme`);
      await page.context().close();
    }
  });
});
