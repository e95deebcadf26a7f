import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { ProviderName } from "../../src/config";
import { listIdentitiesForUser } from "../../src/db/identities";
import { findUserByEmail } from "../../src/db/users";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { TestClient } from "../helpers/client";
import { useProviderEmulators, viaProvider } from "../helpers/providers";

const LABELS: Record<ProviderName, string> = { github: "GitHub", gitlab: "GitLab", atlassian: "Atlassian", google: "Google" };

describe("external identities in a real browser", () => {
  const env: Record<string, string> = {};
  const emulators = useProviderEmulators(env);
  const t = useTestApp(env);
  const b = useBrowser(t);

  /** Answers the emulated provider's consent page as a person, the way someone would fill it in. */
  async function approveAs(page: Page, login: string, email: string): Promise<void> {
    await page.getByLabel("Account name").waitFor();
    await page.getByLabel("Account name").fill(login);
    await page.getByLabel("Display name").fill(`Person ${login}`);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Email is verified").check();
    await page.getByRole("button", { name: "Authorize" }).click();
  }

  /** The emulators' consent-page answer for the person `login`, with a verified address. */
  const person = (login: string, email: string) => ({ login, name: `Person ${login}`, email, emailVerified: true });

  /**
   * web-github, signed up with GitHub through the plain HTTP client (so without a password), and
   * with `alsoGitLab` the GitLab account web-second-gl connected too. Returns the user.
   */
  async function githubOnlyUser(opts: { alsoGitLab?: boolean } = {}) {
    const client = new TestClient(t.baseUrl);
    const signedUp = await viaProvider(client, emulators.byName.github, person("web-github", "web-github@example.test"), { page: "/signup" });
    assert.equal(signedUp.status, 302, `the GitHub sign-up answered ${signedUp.status}`);
    // Through the "about you" step, so later sign-ins go where they were going.
    assert.equal((await client.submit("/welcome", {}, "/welcome/skip")).status, 302);
    if (opts.alsoGitLab) {
      const linked = await viaProvider(client, emulators.byName.gitlab, person("web-second-gl", "second-gl@example.test"), { page: "/settings/identities", intent: "link" });
      assert.equal(linked.status, 302, `connecting GitLab answered ${linked.status}`);
    }
    return (await findUserByEmail("web-github@example.test"))!;
  }

  /** Signs in through the provider's button on /login, as the person `login`. */
  async function signInWith(page: Page, provider: ProviderName, login: string, email: string): Promise<void> {
    await page.goto("/login");
    await page.getByRole("button", { name: `Continue with ${LABELS[provider]}` }).click();
    await approveAs(page, login, email);
    await page.waitForURL(`${t.baseUrl}/`);
  }

  for (const name of ["github", "gitlab", "atlassian", "google"] as const) {
    it(`signs up with ${LABELS[name]}`, async () => {
      const page = await b.newPage();
      await page.goto("/signup");
      await page.getByRole("button", { name: `Continue with ${LABELS[name]}` }).click();
      await approveAs(page, `web-${name}`, `web-${name}@example.test`);
      // The "about you" step, as after a password sign-up, with the provider's display name in it.
      await page.waitForURL((url) => url.pathname === "/welcome");
      assert.match(await page.locator(".flash").first().innerText(), new RegExp(`created with ${LABELS[name]}`));
      assert.equal(await page.getByLabel("Display name").inputValue(), `Person web-${name}`);
      if (name === "github") await b.shootEveryWay(page, "welcome-after-provider-signup");
      await page.getByLabel("What do you work on?").fill(`Builds things with ${LABELS[name]}`);
      await page.getByRole("button", { name: "Save and continue" }).click();
      await page.waitForURL((url) => url.pathname === "/welcome/organization");
      const user = await findUserByEmail(`web-${name}@example.test`);
      assert.equal(user?.username, `web-${name}`, name);
      assert.equal(user?.bio, `Builds things with ${LABELS[name]}`);
    });
  }

  it("connects a second provider from the identities page and signs in with it", async () => {
    await githubOnlyUser();
    const page = await b.newPage();
    await signInWith(page, "github", "web-github", "web-github@example.test");

    await page.goto("/settings/identities");
    await page.getByRole("button", { name: "Connect GitLab" }).click();
    await approveAs(page, "web-second-gl", "second-gl@example.test");
    await page.waitForURL("**/settings/identities");
    assert.match(await page.locator(".flash").innerText(), /GitLab account web-second-gl is now connected/);
    await b.shoot(page, "identities-settings-light");
    const dark = await b.newPage({ colorScheme: "dark", storageState: await page.context().storageState() });
    await dark.goto("/settings/identities");
    await b.shoot(dark, "identities-settings-dark");

    await b.signOut(page);
    await page.getByRole("button", { name: "Continue with GitLab" }).click();
    await approveAs(page, "web-second-gl", "second-gl@example.test");
    await page.waitForURL(`${t.baseUrl}/`);
    await page.goto("/settings/identities");
    assert.match(await page.locator(".user-menu__name").innerText(), /web-github/);
  });

  it("disconnects one provider and keeps the last way in", async () => {
    const user = await githubOnlyUser({ alsoGitLab: true });
    const page = await b.newPage();
    await signInWith(page, "gitlab", "web-second-gl", "second-gl@example.test");
    await page.goto("/settings/identities");

    await page.getByRole("link", { name: "Disconnect GitHub account web-github" }).click();
    await page.getByRole("button", { name: "Disconnect GitHub" }).click();
    await page.waitForURL("**/settings/identities");
    assert.match(await page.locator(".flash").innerText(), /GitHub was disconnected/);

    // GitLab is now the only way in (no password): it cannot be disconnected.
    assert.match(await page.locator("main").innerText(), /only way to sign in/);
    assert.equal(await page.getByRole("link", { name: /Disconnect GitLab/ }).count(), 0);
    assert.deepEqual((await listIdentitiesForUser(user.id)).map((i) => i.provider), ["gitlab"]);
  });
});
