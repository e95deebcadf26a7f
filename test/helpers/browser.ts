import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, afterEach, before } from "node:test";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

/** Where the system Chromium lives (Debian's package); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The window size every browser test starts with unless it asks for another. */
export const DESKTOP = { width: 1280, height: 800 };
/** A phone's window (an iPhone 12 to 15, in CSS pixels). */
export const PHONE = { width: 390, height: 844 };

/**
 * Launches the system Chromium headless. Fails loudly when it is missing: browser tests are part of
 * the suite and must not be skipped silently (.ci/run installs the package).
 */
function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
      // No network but this machine: every other host name fails to resolve (Gravatar images then
      // fail to load and the initials show, as for someone without a Gravatar), with no request
      // interception slowing the pages down.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ],
  });
}

/** Directory for screenshots taken by browser tests (git-ignored). */
function screenshotPath(name: string): string {
  const dir = path.resolve(__dirname, "../../screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

/** Screenshots are for people to look at, never compared: taken only with SCREENSHOTS=1, so the suite stays fast. */
const TAKE_SCREENSHOTS = process.env.SCREENSHOTS === "1";

/**
 * Past the "about you" step that a new account's first sign-in leads to, skipped as someone in a
 * hurry would; resolves once the page it leads to has loaded.
 */
export async function skipAboutYou(page: Page): Promise<void> {
  await page.waitForURL((url) => url.pathname === "/welcome");
  await page.getByRole("button", { name: "Skip for now" }).click();
  await page.waitForURL((url) => url.pathname !== "/welcome");
}

/** Asserts nothing on the page is wider than its window as it is now: nothing scrolls sideways. */
export async function assertNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${page.url()} scrolls sideways by ${overflow}px at ${page.viewportSize()?.width}px wide`);
}

/** Asserts nothing on the page is wider than a phone's window (390 px), then restores the page's size. */
export async function assertFitsPhone(page: Page): Promise<void> {
  const size = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(PHONE);
  await assertNoSidewaysScroll(page);
  await page.setViewportSize(size);
}

export interface TestBrowser {
  /** A page in a context of its own (its own cookies), on the app's URL, 1280×800 unless `opts` say otherwise. */
  newPage(opts?: BrowserContextOptions): Promise<Page>;
  /** A new page signed in as `user` through the real sign-in form, left on the home page. */
  signedInPage(user: { username: string; password: string }, opts?: BrowserContextOptions): Promise<Page>;
  /** Fills and sends the sign-in form the page shows (it does not wait for where that leads). */
  submitSignIn(page: Page, login: string, password: string): Promise<void>;
  /** Goes to /login, signs in and waits for the home page. */
  signIn(page: Page, login: string, password: string): Promise<void>;
  /** Signs out through the user menu and waits for the sign-in page. */
  signOut(page: Page): Promise<void>;
  /** A full-page screenshot under screenshots/<name>.png when SCREENSHOTS=1; otherwise nothing. */
  shoot(page: Page, name: string): Promise<void>;
  /**
   * With SCREENSHOTS=1, screenshots of the page at its own width and at a phone's, each light and
   * dark (screenshots/<name>-<width>-<scheme>.png), then puts the page back as it was; otherwise nothing.
   */
  shootEveryWay(page: Page, name: string): Promise<void>;
}

/**
 * Registers hooks that give the calling test file one headless Chromium (launched once for the
 * file, closed after it) and closes every context a test opened when that test ends, so no test
 * sees another's cookies or pages. `baseUrl` is read when a page is made (useTestApp fills it in
 * its `before` hook). The browser reaches no network but this machine (see launchBrowser).
 */
export function useBrowser(app: { baseUrl: string }): TestBrowser {
  let browser: Browser;
  const open: BrowserContext[] = [];

  before(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await browser?.close();
  });

  const submitSignIn = async (page: Page, login: string, password: string) => {
    await page.getByLabel("Username or email").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  };
  const signIn = async (page: Page, login: string, password: string) => {
    await page.goto("/login");
    await submitSignIn(page, login, password);
    await page.waitForURL((url) => url.pathname === "/");
  };
  const newPage = async (opts: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ baseURL: app.baseUrl, viewport: DESKTOP, ...opts });
    open.push(context);
    return context.newPage();
  };

  return {
    newPage,
    submitSignIn,
    signIn,
    async signedInPage(user, opts) {
      const page = await newPage(opts);
      await signIn(page, user.username, user.password);
      return page;
    },
    async signOut(page) {
      await page.locator(".user-menu summary").click();
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/login");
    },
    async shoot(page, name) {
      if (TAKE_SCREENSHOTS) await page.screenshot({ path: screenshotPath(name), fullPage: true });
    },
    async shootEveryWay(page, name) {
      if (!TAKE_SCREENSHOTS) return;
      const size = page.viewportSize()!;
      for (const [label, viewport] of [[String(size.width), size], ["390", PHONE]] as const) {
        await page.setViewportSize(viewport);
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          // The buttons' colour transitions (0.15 s) would be caught half-way.
          await page.waitForTimeout(300);
          await page.screenshot({ path: screenshotPath(`${name}-${label}-${scheme}`), fullPage: true });
        }
      }
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: "light" });
    },
  };
}
