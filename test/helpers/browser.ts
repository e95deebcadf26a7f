import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Where the system Chromium lives (Debian's package); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Launches the system Chromium headless. Fails loudly when it is missing: browser tests are part of
 * the suite and must not be skipped silently (.ci/run installs the package).
 */
export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** Directory for screenshots taken by browser tests (git-ignored). */
export function screenshotPath(name: string): string {
  const dir = path.resolve(__dirname, "../../screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
