import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Locator, Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { skipAboutYou, useBrowser } from "../helpers/browser";
import { useProviderEmulators } from "../helpers/providers";

describe("avatars in a real browser", () => {
  const env: Record<string, string> = {};
  const emulators = useProviderEmulators(env);
  const t = useTestApp(env);
  const b = useBrowser(t);

  /** Signs up on /signup with the GitHub emulator as `login`, the way someone fills in its consent page. */
  async function signUpWithGitHub(page: Page, login: string): Promise<void> {
    await page.goto("/signup");
    await page.getByRole("button", { name: "Continue with GitHub" }).click();
    await page.getByLabel("Account name").fill(login);
    await page.getByLabel("Display name").fill("Avery Tar");
    await page.getByLabel("Email", { exact: true }).fill(`${login}@example.test`);
    await page.getByLabel("Email is verified").check();
    await page.getByRole("button", { name: "Authorize" }).click();
    await skipAboutYou(page);
  }

  /** The avatar in the header's account menu. */
  const headerAvatar = (page: Page): Locator => page.locator(".user-menu summary .avatar");

  it("shows the GitHub picture in the header, and the initials when the picture does not load or is not chosen", async () => {
    const github = emulators.byName.github;
    const page = await b.newPage();
    await signUpWithGitHub(page, "avery-tar");
    const img = headerAvatar(page).locator("img");
    await img.waitFor();
    assert.ok((await img.getAttribute("src"))!.startsWith(`${github.url}/avatars/u/`));
    // The browser loaded the emulator's PNG (the CSP's img-src allows the provider's origin).
    await page.waitForFunction(() => (document.querySelector(".user-menu summary .avatar img") as HTMLImageElement | null)?.naturalWidth === 16);
    assert.equal(await img.getAttribute("referrerpolicy"), "no-referrer");
    await b.shoot(page, "avatars-header-github");

    // Chosen in settings: the initials instead.
    await page.goto("/settings/profile");
    await page.getByLabel("Initials").check();
    await page.getByRole("button", { name: "Save avatar" }).click();
    await page.getByText("Your profile has been saved.").waitFor();
    assert.equal(await headerAvatar(page).locator("img").count(), 0);
    assert.equal(await headerAvatar(page).locator(".avatar__initials").textContent(), "AT");

    // A picture that is gone at the provider: the script removes the broken image and the initials show.
    await page.getByLabel("GitHub picture").check();
    await page.getByRole("button", { name: "Save avatar" }).click();
    await headerAvatar(page).locator("img").waitFor();
    github.avatarOverride = `${github.url}/avatars/gone.png`;
    try {
      const again = await b.newPage();
      await again.goto("/login");
      await again.getByRole("button", { name: "Continue with GitHub" }).click();
      await again.getByLabel("Account name").fill("avery-tar");
      await again.getByRole("button", { name: "Authorize" }).click();
      await again.waitForURL(`${t.baseUrl}/`);
      await headerAvatar(again).locator("img").waitFor({ state: "detached" });
      assert.ok(await headerAvatar(again).locator(".avatar__initials").isVisible());
    } finally {
      github.avatarOverride = undefined;
    }
  });
});
