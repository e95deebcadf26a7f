import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { assertNoSidewaysScroll, DESKTOP, PHONE, useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";

describe("several accounts in one browser, in a real browser", () => {
  const t = useTestApp({ RATE_LIMIT_LOGIN_PER_IP: "1000" });
  const b = useBrowser(t);

  /** Opens the user menu in the header. */
  async function openMenu(page: Page): Promise<void> {
    await page.locator(".user-menu summary").click();
  }

  /** "Add another account" from the user menu, then the sign-in form; waits for the home page. */
  async function addAccount(page: Page, user: { username: string; password: string }, shot?: string): Promise<void> {
    await openMenu(page);
    await page.getByRole("button", { name: "Add another account" }).click();
    await page.waitForURL("**/login");
    await page.getByText(/^Adding an account: this browser stays signed in to/).waitFor();
    if (shot) {
      // The header offers the held accounts while none is in use.
      await openMenu(page);
      await page.locator(".user-menu__panel").getByRole("button", { name: /^Switch to/ }).first().waitFor();
      await shootMenu(page, shot);
      await openMenu(page);
    }
    await b.submitSignIn(page, user.username, user.password);
    await page.waitForURL((url) => url.pathname === "/");
  }

  /** The user menu open, at both widths in both colour schemes, for people to look at (never compared). */
  async function shootMenu(page: Page, name: string): Promise<void> {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [label, size] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
        await page.setViewportSize(size);
        await b.shoot(page, `multi-account-${name}-${scheme}-${label}`);
        await assertNoSidewaysScroll(page);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(DESKTOP);
  }

  it("adds accounts, switches between them, and refuses a form opened as the other account", async () => {
    const alice = await buildUser({ username: "alice", displayName: "Alice Liddell" });
    const bob = await buildUser({ username: "bob", displayName: "Bob Builder" });
    const carol = await buildUser({ username: "carol-with-a-rather-long-username", displayName: "Carol" });
    const page = await b.signedInPage(alice);

    await addAccount(page, bob);
    await openMenu(page);
    const menu = page.locator(".user-menu__panel");
    await menu.getByText("Signed in as bob").waitFor();
    await menu.getByRole("button", { name: /^Switch to alice/ }).waitFor();
    await page.locator(".user-menu summary").click();
    await addAccount(page, carol, "adding");
    await openMenu(page);
    await shootMenu(page, "menu-three");

    // Back to alice; a second tab opens her profile form.
    await menu.getByRole("button", { name: /^Switch to alice/ }).click();
    await page.getByText("You are now using alice.").waitFor();
    const tab = await page.context().newPage();
    await tab.goto("/settings/profile");
    await tab.getByLabel("Display name").fill("Changed in the old tab");

    // The first tab switches to bob; the old tab's form is then refused, and nothing changes.
    await openMenu(page);
    await menu.getByRole("button", { name: /^Switch to bob/ }).click();
    await page.getByText("You are now using bob.").waitFor();
    await tab.getByRole("button", { name: "Save profile" }).click();
    await tab.getByText(/This form was opened as alice,\s*you are now using bob;\s*nothing was changed\./).waitFor();
    await shootMenu(tab, "form-refused");
    assert.equal((await db("users").where({ id: bob.id }).first()).display_name, "Bob Builder");
    assert.equal((await db("users").where({ id: alice.id }).first()).display_name, "Alice Liddell");

    // The refusal's way back: switch to alice, and her form works again once opened as her.
    await tab.getByRole("button", { name: "Switch back to alice" }).click();
    await tab.getByText("You are now using alice.").waitFor();
    await tab.goto("/settings/profile");
    await tab.getByLabel("Display name").fill("Alice L.");
    await tab.getByRole("button", { name: "Save profile" }).click();
    await tab.getByText("Your profile has been saved.").waitFor();
    assert.equal((await db("users").where({ id: alice.id }).first()).display_name, "Alice L.");

    // Signing out of all of them.
    await openMenu(tab);
    await tab.getByRole("button", { name: "Sign out of all accounts" }).click();
    await tab.waitForURL("**/login");
    await tab.getByText("You have signed out of every account.").waitFor();
    assert.equal(await tab.locator(".user-menu").count(), 0);
  });
});
