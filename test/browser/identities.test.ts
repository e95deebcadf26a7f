import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import type { ProviderName } from "../../src/config";
import { listIdentitiesForUser } from "../../src/db/identities";
import { findUserByEmail } from "../../src/db/users";
import { useTestApp } from "../helpers/app";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { useProviderEmulators } from "../helpers/providers";

const LABELS: Record<ProviderName, string> = { github: "GitHub", gitlab: "GitLab", atlassian: "Atlassian", google: "Google" };

describe("external identities in a real browser", () => {
  const env: Record<string, string> = {};
  useProviderEmulators(env);
  const t = useTestApp(env);
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  async function newPage(opts: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1280, height: 800 }, ...opts });
    return context.newPage();
  }

  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
  }

  /** Answers the emulated provider's consent page as a person, the way someone would fill it in. */
  async function approveAs(page: Page, login: string, email: string): Promise<void> {
    await page.getByLabel("Account name").waitFor();
    await page.getByLabel("Account name").fill(login);
    await page.getByLabel("Display name").fill(`Person ${login}`);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Email is verified").check();
    await page.getByRole("button", { name: "Authorize" }).click();
  }

  async function signOut(page: Page): Promise<void> {
    await page.locator(".user-menu summary").click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
  }

  it("signs up with each provider, links a second one, signs in with it, unlinks, and keeps the last way in", async () => {
    for (const name of ["github", "gitlab", "atlassian", "google"] as const) {
      const page = await newPage();
      await page.goto("/signup");
      await page.getByRole("button", { name: `Continue with ${LABELS[name]}` }).click();
      await approveAs(page, `web-${name}`, `web-${name}@example.test`);
      await page.waitForURL(`${t.baseUrl}/`);
      assert.match(await page.locator(".flash").first().innerText(), new RegExp(`created with ${LABELS[name]}`));
      const user = await findUserByEmail(`web-${name}@example.test`);
      assert.equal(user?.username, `web-${name}`, name);
      await page.context().close();
    }

    const page = await newPage();
    await page.goto("/login");
    await page.getByRole("button", { name: "Continue with GitHub" }).click();
    await approveAs(page, "web-github", "web-github@example.test");
    await page.waitForURL(`${t.baseUrl}/`);

    await page.goto("/settings/identities");
    await page.getByRole("button", { name: "Connect GitLab" }).click();
    await approveAs(page, "web-second-gl", "second-gl@example.test");
    await page.waitForURL("**/settings/identities");
    assert.match(await page.locator(".flash").innerText(), /GitLab account web-second-gl is now connected/);
    await shoot(page, "identities-settings-light");
    const dark = await newPage({ colorScheme: "dark", storageState: await page.context().storageState() });
    await dark.goto("/settings/identities");
    await shoot(dark, "identities-settings-dark");
    await dark.context().close();

    await signOut(page);
    await page.getByRole("button", { name: "Continue with GitLab" }).click();
    await approveAs(page, "web-second-gl", "second-gl@example.test");
    await page.waitForURL(`${t.baseUrl}/`);
    await page.goto("/settings/identities");
    assert.match(await page.locator(".user-menu__name").innerText(), /web-github/);

    await page.getByRole("link", { name: "Disconnect GitHub account web-github" }).click();
    await page.getByRole("button", { name: "Disconnect GitHub" }).click();
    await page.waitForURL("**/settings/identities");
    assert.match(await page.locator(".flash").innerText(), /GitHub was disconnected/);

    // GitLab is now the only way in (no password): it cannot be disconnected.
    assert.match(await page.locator("main").innerText(), /only way to sign in/);
    assert.equal(await page.getByRole("link", { name: /Disconnect GitLab/ }).count(), 0);
    const user = (await findUserByEmail("web-github@example.test"))!;
    assert.deepEqual((await listIdentitiesForUser(user.id)).map((i) => i.provider), ["gitlab"]);
  });
});
