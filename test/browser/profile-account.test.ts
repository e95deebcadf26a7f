import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";

const DESKTOP = { width: 1280, height: 900 };

describe("profile and account settings in a real browser", () => {
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
    // No network in tests: Gravatar never answers, so the initials show (as for users without one).
    await context.route("https://www.gravatar.com/**", (route) => route.fulfill({ status: 404, body: "" }));
    return context.newPage();
  }

  /** Saves a full-page screenshot for people to look at (never compared). */
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: screenshotPath(`profile-account-${name}`), fullPage: true });
  }

  async function signIn(page: Page, login: string, password: string): Promise<void> {
    await page.goto("/login");
    await page.getByLabel("Username or email").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
  }

  it("edits the profile, shows it publicly, and changes the email through both mails", async () => {
    const user = await buildUser({ username: "grace-h", email: "grace@example.test" });
    const page = await newPage();
    await signIn(page, "grace-h", user.password);

    await page.goto("/settings/profile");
    await page.getByLabel("Display name").fill("Grace Hopper");
    await page.getByLabel("Bio").fill("Compilers, COBOL and <nanoseconds>.\nRear admiral.");
    await page.getByLabel("Link 1").fill("https://grace.example.org");
    await page.getByLabel("Link 2").fill("javascript:alert(1)");
    await page.getByLabel("Make my profile public").check();
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.locator("#field-link_2-error").waitFor();
    assert.match(await page.locator("#field-link_2-error").innerText(), /https:\/\/ or http:\/\//);
    assert.equal(await page.getByLabel("Display name").inputValue(), "Grace Hopper");
    await shoot(page, "profile-errors-light");
    await page.getByLabel("Link 2").fill("https://code.example.org/grace");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Your profile has been saved.").waitFor();
    await shoot(page, "profile-light");

    await page.getByRole("link", { name: "/u/grace-h" }).click();
    await page.getByRole("heading", { name: "Grace Hopper" }).waitFor();
    assert.match(await page.locator("main").innerText(), /Compilers, COBOL and <nanoseconds>\./);
    assert.equal(await page.getByRole("link", { name: "code.example.org/grace" }).getAttribute("rel"), "nofollow ugc noopener");
    assert.equal(await page.locator(".avatar__initials").first().innerText(), "GH");
    await shoot(page, "public-profile-light");

    await page.goto("/settings/account");
    await page.getByLabel("New email address").fill("grace@navy.example.test");
    await page.getByLabel("Current password").fill(user.password);
    await page.getByRole("button", { name: "Send confirmation link" }).click();
    await page.getByText("Change pending:").waitFor();
    await shoot(page, "account-pending-light");

    const notice = await t.mailbox.waitFor("grace@example.test", (m) => /change of your Gatehouse email/.test(m.subject));
    assert.match(notice.text, /grace@navy\.example\.test/);
    const confirm = await t.mailbox.waitFor("grace@navy.example.test", (m) => /Confirm your new email/.test(m.subject));
    await page.goto(linkIn(confirm, "/email/confirm/"));
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.waitForURL("**/settings/account");
    await page.getByText("Your email address is now grace@navy.example.test.").waitFor();
    assert.match(await page.locator("main").innerText(), /Your email address is grace@navy\.example\.test/);
    await shoot(page, "account-light");
    await page.context().close();

    // The same pages in the dark theme, signed in with the new address.
    const dark = await newPage({ colorScheme: "dark" });
    await signIn(dark, "grace@navy.example.test", user.password);
    for (const [path, name] of [["/settings/profile", "profile"], ["/u/grace-h", "public-profile"], ["/settings/account", "account"]] as const) {
      await dark.goto(path);
      await shoot(dark, `${name}-dark`);
    }
    const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    assert.ok(r! + g! + b! < 150, `dark background, got ${background}`);
    await dark.context().close();
  });
});
