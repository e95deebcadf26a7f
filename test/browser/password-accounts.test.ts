import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { assertNoSidewaysScroll, DESKTOP, PHONE, useBrowser } from "../helpers/browser";
import { TestClient } from "../helpers/client";
import { buildUser } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";

describe("password accounts in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);
  const password = "quiet library afternoon";

  /** Signs up as rosa-parks through the plain HTTP form and returns the confirmation link mailed to her. */
  async function signedUpRosa(): Promise<string> {
    const res = await new TestClient(t.baseUrl).submit("/signup", { username: "rosa-parks", email: "rosa.parks@example.test", password });
    assert.match(res.html, /Check your email/, `sign-up answered ${res.status}`);
    return linkIn(await t.mailbox.waitFor("rosa.parks@example.test", (m) => /confirm/i.test(m.subject)), "/email/confirm/");
  }

  it("signs up, and every page asks to confirm the address first", async () => {
    const page = await b.newPage();
    await page.goto("/");
    await b.shoot(page, "light-landing");
    await page.getByRole("main").getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Username").fill("rosa-parks");
    await page.getByLabel("Email address").fill("rosa.parks@example.test");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    assert.match(await page.locator("main").innerText(), /rosa\.parks@example\.test/);
    await b.shoot(page, "light-check-email");

    // Signed in before confirming: every page asks to confirm first.
    await page.getByRole("link", { name: "Back to sign in" }).click();
    await b.submitSignIn(page, "rosa-parks", password);
    await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
    await b.shoot(page, "light-confirm-pending");
    await page.goto("/settings/profile");
    await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
    await page.getByRole("main").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    await t.mailbox.waitFor("rosa.parks@example.test", (m) => /confirm/i.test(m.subject));
  });

  it("confirms the address from the mail, and a used link says so", async () => {
    const confirmLink = await signedUpRosa();
    const page = await b.newPage();
    await page.goto(confirmLink);
    await b.shoot(page, "light-confirm");
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.waitForURL("**/login");
    await page.getByText("Your email address is confirmed.").waitFor();
    await b.shoot(page, "light-login-confirmed");

    // A used link says so at once, before offering a button that cannot work.
    await page.goto(confirmLink);
    await page.getByRole("heading", { name: "This link no longer works" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Confirm email address" }).count(), 0);
    await b.shoot(page, "light-link-invalid");
  });

  it("keeps the login but not the password after a wrong one, and signs in by email in any case", async () => {
    await buildUser({ username: "rosa-parks", email: "rosa.parks@example.test", password });
    const page = await b.newPage();
    await page.goto("/login");
    await b.submitSignIn(page, "Rosa.Parks@example.test", "not my password at all");
    await page.getByText("Incorrect username, email or password.").waitFor();
    assert.equal(await page.getByLabel("Username or email").inputValue(), "Rosa.Parks@example.test");
    assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "");
    await b.shoot(page, "light-login-error");
    await b.submitSignIn(page, "Rosa.Parks@example.test", password);
    await page.getByRole("heading", { name: "Welcome, rosa-parks" }).waitFor();
    await b.shoot(page, "light-home");
  });

  it("opens the settings from the user menu", async () => {
    const user = await buildUser({ username: "rosa-parks", email: "rosa.parks@example.test" });
    const page = await b.signedInPage(user);
    await page.locator(".user-menu summary").click();
    await b.shoot(page, "light-user-menu");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Profile" }).waitFor();
    assert.match(await page.locator("main").innerText(), /rosa\.parks@example\.test/);
    await b.shoot(page, "light-settings-profile");
  });

  it("signs out, resets a forgotten password from the mail, and the link then stops working", async () => {
    const user = await buildUser({ username: "rosa-parks", email: "rosa.parks@example.test", password });
    const newPassword = "seven lanterns by the river";
    const page = await b.signedInPage(user);
    await b.signOut(page);
    await page.getByText("You have signed out.").waitFor();
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await b.shoot(page, "light-forgot");
    await page.getByLabel("Email address").fill(user.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    await b.shoot(page, "light-forgot-sent");

    const resetMail = await t.mailbox.waitFor(user.email, (m) => /reset/i.test(m.subject));
    const resetLink = linkIn(resetMail, "/password/reset/");
    await page.goto(resetLink);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill("seven lanterns by the sea");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("The two passwords do not match.").waitFor();
    await b.shoot(page, "light-reset-error");
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Confirm new password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForURL("**/login");
    await b.shoot(page, "light-login-after-reset");
    await page.getByText("Your password has been changed").waitFor();

    await b.submitSignIn(page, "rosa-parks", password);
    await page.getByText("Incorrect username, email or password.").waitFor();
    await b.submitSignIn(page, "rosa-parks", newPassword);
    await page.getByRole("heading", { name: "Welcome, rosa-parks" }).waitFor();

    await page.goto(resetLink);
    await page.getByRole("heading", { name: "This link no longer works" }).waitFor();
  });

  it("answers an unknown address with the not-found page", async () => {
    const page = await b.newPage();
    await page.goto("/no-such-page");
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await b.shoot(page, "light-404");
  });

  it("keeps what was typed and explains a short password under its field", async () => {
    const page = await b.newPage();
    await page.goto("/signup");
    await page.getByLabel("Username").fill("short-pw");
    await page.getByLabel("Email address").fill("short@example.test");
    await page.getByLabel("Password").fill("too short");
    await page.getByRole("button", { name: "Create account" }).click();
    const error = page.locator("#field-password-error");
    await error.waitFor();
    assert.match(await error.innerText(), /at least 12 characters/i);
    assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByLabel("Username").inputValue(), "short-pw");
    assert.equal(await page.getByLabel("Email address").inputValue(), "short@example.test");
    assert.equal(await page.getByLabel("Password").inputValue(), "");
    await b.shoot(page, "light-signup-errors");
  });

  it("answers a form whose session is gone with the “form expired” page, not a crash", async () => {
    const page = await b.newPage();
    await page.goto("/signup");
    await page.getByLabel("Username").fill("short-pw");
    await page.getByLabel("Email address").fill("short@example.test");
    await page.context().clearCookies();
    await page.getByLabel("Password").fill("long enough but session gone");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("form expired").waitFor();
    await b.shoot(page, "light-error-403");
  });

  // Every page in dark; the busiest ones again at phone width, light and dark.
  const themes = [["dark", DESKTOP, true], ["phone", PHONE, false], ["phone-dark", PHONE, false]] as const;
  for (const [theme, viewport, everyPage] of themes) {
    it(`fits the window and follows the theme: ${theme}`, async () => {
      const user = await buildUser({ username: "ada-l", displayName: "Ada Lovelace" });
      const brief = theme === "phone-dark";
      const page = await b.newPage({ viewport, colorScheme: theme.endsWith("dark") ? "dark" : "light" });
      const visit = async (path: string, name: string) => {
        if (page.url() !== new URL(path, t.baseUrl).href) await page.goto(path);
        await b.shoot(page, `${theme}-${name}`);
        await assertNoSidewaysScroll(page);
      };
      await visit("/", "landing");
      if (!brief) {
        await page.goto("/signup");
        await page.getByRole("button", { name: "Create account" }).click();
        await page.locator(".field__error").first().waitFor();
        await visit("/signup", "signup-errors");
      }
      if (everyPage) {
        await visit("/password/forgot", "forgot");
        await visit("/password/reset/not-a-real-token", "link-invalid");
      }
      if (brief) await page.goto("/login");
      else await visit("/login", "login");
      await b.submitSignIn(page, user.username, user.password);
      await page.getByRole("heading", { name: "Welcome, Ada Lovelace" }).waitFor();
      await visit("/", "home");
      if (!brief) await visit("/settings/profile", "settings-profile");
      if (everyPage) await visit("/nothing-here", "404");
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [red, green, blue] = background.match(/\d+/g)!.map(Number) as [number, number, number];
      assert.equal(red + green + blue < 150, theme.endsWith("dark"), `body background ${background} in the ${theme} theme`);
    });
  }
});
