import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { assertNoSidewaysScroll, PHONE, useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

describe("password, sessions and notifications in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  /** Fills the change-password form on the page it shows. */
  async function changePassword(page: Page, next: string, confirmation = next): Promise<void> {
    await page.getByLabel("New password", { exact: true }).fill(next);
    await page.getByLabel("Confirm new password").fill(confirmation);
    await page.getByRole("button", { name: "Change password" }).click();
  }

  it("lists every signed-in browser and signs another one out", async () => {
    const user = await buildUser({ username: "grace-h" });
    const laptop = await b.signedInPage(user);
    const other = await b.signedInPage(user, { colorScheme: "dark", userAgent: FIREFOX_LINUX });

    // The other browser sees both sessions and signs the laptop out.
    await other.goto("/settings/sessions");
    const rows = other.locator("tbody tr");
    assert.equal(await rows.count(), 2);
    assert.match(await rows.filter({ hasText: "This device" }).innerText(), /Firefox 120\s+on Linux/);
    await b.shoot(other, "dark-settings-sessions");
    await other.getByRole("button", { name: /^Sign out Chrome/ }).click();
    await other.getByText(/The session of Chrome \d+ on Linux was signed out\./).waitFor();
    await laptop.goto("/settings/profile");
    await laptop.waitForURL("**/login?next=*");

    // Back on the laptop: two sessions again, this time seen from the laptop.
    await b.signIn(laptop, user.username, user.password);
    await laptop.goto("/settings/sessions");
    await laptop.getByText("This device").waitFor();
    await b.shoot(laptop, "light-settings-sessions");
  });

  it("saves notification choices, and security notices stay on", async () => {
    const user = await buildUser();
    const page = await b.signedInPage(user);
    await page.goto("/settings/profile");
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Notifications" }).click();
    const security = page.getByLabel(/Security/);
    assert.equal(await security.isChecked(), true);
    assert.equal(await security.isDisabled(), true);
    await page.getByLabel("Product news").check();
    await page.getByLabel("Organizations").uncheck();
    await page.getByRole("button", { name: "Save notification settings" }).click();
    await page.getByText("Your notification settings have been saved.").waitFor();
    assert.equal(await page.getByLabel("Product news").isChecked(), true);
    assert.equal(await page.getByLabel("Organizations").isChecked(), false);
    await b.shoot(page, "light-settings-notifications");
    await page.emulateMedia({ colorScheme: "dark" });
    await b.shoot(page, "dark-settings-notifications");
  });

  it("answers a mismatched confirmation beside its field", async () => {
    const user = await buildUser();
    const page = await b.signedInPage(user);
    await page.goto("/settings/profile");
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Password" }).click();
    await changePassword(page, "harbour lights over the bay", "harbour lights over the sea");
    await page.getByText("The two passwords do not match.").waitFor();
    assert.equal(await page.getByLabel("Confirm new password").getAttribute("aria-invalid"), "true");
    await page.emulateMedia({ colorScheme: "dark" });
    await b.shoot(page, "dark-settings-password");
  });

  it("shows sessions as cards on a phone, in the dark, without sideways scrolling", async () => {
    const user = await buildUser();
    await b.signedInPage(user);
    const phone = await b.signedInPage(user, { colorScheme: "dark", userAgent: FIREFOX_LINUX, viewport: PHONE });
    await phone.goto("/settings/sessions");
    assert.equal(await phone.locator("tbody tr").count(), 2);
    await b.shoot(phone, "phone-dark-settings-sessions");
    await assertNoSidewaysScroll(phone);
  });

  it("changes the password, which signs every other browser out and sends a notice", async () => {
    const user = await buildUser();
    const laptop = await b.signedInPage(user);
    const other = await b.signedInPage(user, { userAgent: FIREFOX_LINUX });
    await laptop.goto("/settings/password");
    await changePassword(laptop, "harbour lights over the bay");
    await laptop.getByText("Your password has been changed. Every other session was signed out.").waitFor();
    await b.shoot(laptop, "light-settings-password");

    // The other browser's next request is signed out; the laptop stays signed in.
    await other.goto("/settings/sessions");
    await other.waitForURL("**/login?next=*");
    await laptop.goto("/settings/sessions");
    assert.equal(await laptop.locator("tbody tr").count(), 1);
    await t.mailbox.waitFor(user.email, (m) => m.subject === "Your Gatehouse password was changed");
  });
});
