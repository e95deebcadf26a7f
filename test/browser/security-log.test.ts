import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { addMember } from "../helpers/orgs";
import { db } from "../../src/db/knex";

/** Where the screenshots of these pages go besides the suite's own folder, when asked for. */
const EXTRA_SHOTS = process.env.SHOTS_DIR;

describe("security and audit logs in a real browser", () => {
  const t = useTestApp();
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
    if (EXTRA_SHOTS) {
      fs.mkdirSync(EXTRA_SHOTS, { recursive: true });
      await page.screenshot({ path: `${EXTRA_SHOTS}/${name}.png`, fullPage: true });
    }
  }

  async function signIn(page: Page, login: string, password: string): Promise<void> {
    await page.goto("/login");
    await page.getByLabel("Username or email").fill(login);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  it("shows a person their own log and an owner the organization's, readable on a phone and in dark mode", async () => {
    const owner = await buildUser({ username: "olive" });
    const member = await buildUser({ username: "milo" });
    const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, "olive", "wrong password entirely");
    await page.locator(".flash--error").waitFor();
    await signIn(page, "olive", owner.password);
    await page.waitForURL(`${t.baseUrl}/`);

    await page.goto("/orgs/new");
    await page.getByLabel("Organization name").fill("Lighthouse");
    await page.getByLabel("URL name").fill("lighthouse");
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.waitForURL("**/orgs/lighthouse");
    const org = await db("organizations").where({ slug: "lighthouse" }).first();
    await addMember(org, member, "member");
    await page.goto("/orgs/lighthouse/invitations");
    await page.getByLabel("Email address").fill("new-hire@example.test");
    await page.getByRole("button", { name: /Send invitation/ }).click();
    await page.locator(".flash--success").waitFor();

    await page.goto("/orgs/lighthouse");
    await page.getByRole("link", { name: "Who changed what, newest first" }).click();
    await page.waitForURL("**/orgs/lighthouse/audit");
    assert.match(await page.locator(".log-table").innerText(), /Invitation sent[\s\S]*Organization created/);

    await page.goto("/settings/profile");
    await page.getByRole("link", { name: "Security log" }).click();
    await page.waitForURL("**/settings/security/log");
    assert.match(await page.locator(".log-table").innerText(), /Signed in with your password[\s\S]*Failed sign-in: wrong password/);

    const state = await context.storageState();
    for (const [scheme, width] of [["light", 1280], ["dark", 1280], ["light", 390], ["dark", 390]] as const) {
      const view = await browser.newContext({ baseURL: t.baseUrl, viewport: { width, height: 800 }, colorScheme: scheme, storageState: state });
      const p = await view.newPage();
      await p.goto("/settings/security/log");
      await shoot(p, `security-log-${scheme}-${width}`);
      await p.goto("/orgs/lighthouse/audit");
      await shoot(p, `org-audit-log-${scheme}-${width}`);
      await view.close();
    }
    await context.close();
  });
});
