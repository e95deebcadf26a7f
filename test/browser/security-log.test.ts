import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { addMember } from "../helpers/orgs";
import { db } from "../../src/db/knex";

describe("security and audit logs in a real browser", () => {
  const t = useTestApp();
  const tb = useBrowser(t);

  const shoot = (page: Page, name: string) => tb.shoot(page, name);

  async function signIn(page: Page, login: string, password: string): Promise<void> {
    await page.goto("/login");
    await page.getByLabel("Username or email").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  it("shows a person their own log and an owner the organization's, readable on a phone and in dark mode", async () => {
    const owner = await buildUser({ username: "olive" });
    const member = await buildUser({ username: "milo" });
    const page = await tb.newPage();
    const context = page.context();
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
      const p = await tb.newPage({ viewport: { width, height: 800 }, colorScheme: scheme, storageState: state });
      const view = p.context();
      await p.goto("/settings/security/log");
      await shoot(p, `security-log-${scheme}-${width}`);
      await p.goto("/orgs/lighthouse/audit");
      await shoot(p, `org-audit-log-${scheme}-${width}`);
      await view.close();
    }
    await context.close();
  });
});
