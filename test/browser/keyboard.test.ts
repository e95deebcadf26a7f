import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { buildOrg } from "../helpers/orgs";

/** Presses Tab until `selector` has focus (at most 40 times); fails when it never gets it. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

/** The outline the focused element draws. */
function focusOutline(page: Page): Promise<{ style: string; width: string }> {
  return page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return { style: style.outlineStyle, width: style.outlineWidth };
  });
}

describe("the keyboard in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  it("shows a focus ring on home cards and the current settings section, and closes the user menu on Escape or a click outside", async () => {
    const user = await buildUser({ username: "olivia" });
    await buildOrg(user, { slug: "acme", name: "Acme" });
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await b.signedInPage(user, { colorScheme });
      await tabTo(page, 'a.card--link[href="/orgs/acme"]');
      assert.deepEqual(await focusOutline(page), { style: "solid", width: "2px" });
      await page.goto("/settings/tokens");
      await tabTo(page, '.settings__nav a[aria-current="page"]');
      assert.deepEqual(await focusOutline(page), { style: "solid", width: "2px" });
      await b.shoot(page, `keyboard-settings-nav-focus-${colorScheme}`);

      const menu = page.locator("details.user-menu");
      await tabTo(page, ".user-menu summary");
      await page.keyboard.press("Enter");
      assert.equal(await menu.getAttribute("open"), "");
      await page.keyboard.press("Escape");
      assert.equal(await menu.getAttribute("open"), null);
      assert.equal(await page.evaluate(() => document.activeElement?.matches(".user-menu summary")), true);

      await page.locator(".user-menu summary").click();
      assert.equal(await menu.getAttribute("open"), "");
      await page.getByRole("heading", { name: "Access tokens", level: 1 }).click();
      assert.equal(await menu.getAttribute("open"), null);
    }
  });
});
