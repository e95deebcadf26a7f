import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { assertNoSidewaysScroll, DESKTOP, PHONE, useBrowser } from "../helpers/browser";
import { buildUser, loginAs } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";
import { buildOrg } from "../helpers/orgs";
import { WELCOME_NEXT_PATH } from "../../src/routes/web/welcome";
import { db } from "../../src/db/knex";

describe("the first run in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);
  const password = "quiet library afternoon";

  /** Fills and sends the sign-up form the page shows; the email field is left alone when `email` is undefined. */
  async function signUp(page: Page, username: string, email?: string) {
    await page.getByLabel("Username").fill(username);
    if (email !== undefined) await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
  }

  async function confirmationLink(email: string): Promise<string> {
    return linkIn(await t.mailbox.waitFor(email, (m) => /Confirm your email/.test(m.subject)), "/email/confirm/");
  }

  it("signs up, confirms in the same browser, tells about itself and goes on to the organization step", async () => {
    const page = await b.newPage();
    await page.goto("/signup");
    await signUp(page, "rosa-parks", "rosa.parks@example.test");
    await page.goto(await confirmationLink("rosa.parks@example.test"));
    assert.match(await page.locator("main").innerText(), /rosa\.parks@example\.test/);
    await b.shoot(page, "first-run-confirm");
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.getByRole("heading", { name: "Tell us about you" }).waitFor();
    await page.getByText("Your email address is confirmed.").waitFor();
    await b.shoot(page, "first-run-welcome");
    await page.getByLabel("Display name").fill("Rosa Parks");
    await page.getByLabel("What do you work on?").fill("Release tooling");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.waitForURL((url) => url.pathname === WELCOME_NEXT_PATH);

    // Shown once: the next visit goes home, which greets her by the name she gave.
    await page.goto("/welcome");
    await page.getByRole("heading", { name: "Welcome, Rosa Parks" }).waitFor();
  });

  it("signs up from an invitation with the invited address and lands in the organization", async () => {
    const owner = await buildUser({ username: "owner" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme Corp" });
    const admin = await loginAs(t.baseUrl, owner);
    await admin.submit(`/orgs/${org.slug}/invitations`, { email: "newbie@example.test", role: "member" });
    const invitation = linkIn(await t.mailbox.waitFor("newbie@example.test", (m) => /invited you to join/.test(m.subject)), "/invitations/");

    const page = await b.newPage();
    await page.goto(invitation);
    await page.getByRole("link", { name: "Create an account" }).click();
    assert.equal(await page.getByLabel("Email address").inputValue(), "newbie@example.test");
    assert.match(await page.locator("main").innerText(), /invitation to join Acme Corp/);
    await b.shoot(page, "first-run-signup-invited");
    await signUp(page, "newbie");
    await page.goto(await confirmationLink("newbie@example.test"));
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.getByRole("heading", { name: "Tell us about you" }).waitFor();
    await page.getByRole("button", { name: "Skip for now" }).click();
    await page.getByRole("heading", { name: "Join Acme Corp" }).waitFor();
    await page.getByRole("button", { name: "Accept and join Acme Corp" }).click();
    await page.waitForURL((url) => url.pathname === `/orgs/${org.slug}`);
    await page.getByText("Welcome to Acme Corp!").waitFor();
  });

  it("corrects a mistyped address before confirming it", async () => {
    const page = await b.newPage();
    await page.goto("/signup");
    await signUp(page, "rosa-parks", "rosa.parks@exmaple.test");
    const oldLink = await confirmationLink("rosa.parks@exmaple.test");
    await b.signIn(page, "rosa-parks", password);
    await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
    await page.getByText("Wrong address? Change it").click();
    await page.getByLabel("Email address").fill("rosa.parks@example.test");
    await b.shoot(page, "first-run-confirm-pending");
    await page.getByRole("button", { name: "Send the link to this address" }).click();
    await page.getByText("We sent a confirmation link to rosa.parks@example.test. The earlier link no longer works.").waitFor();
    await page.goto(oldLink);
    await page.getByRole("heading", { name: "This link no longer works" }).waitFor();
    await page.goto(await confirmationLink("rosa.parks@example.test"));
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.getByText("Your email address is confirmed.").waitFor();
  });

  // The new and changed pages at desktop and phone width, light and dark: nothing scrolls sideways.
  for (const [name, viewport, colorScheme] of [["light", DESKTOP, "light"], ["dark", DESKTOP, "dark"], ["phone", PHONE, "light"], ["phone-dark", PHONE, "dark"]] as const) {
    it(`fits the window and follows the theme: ${name}`, async () => {
      const user = await buildUser({ username: "ada-l", displayName: "Ada Lovelace" });
      await db("users").where({ id: user.id }).update({ welcomed_at: null });
      const pending = await buildUser({ username: "new-one", confirmed: false });
      const page = await b.newPage({ viewport, colorScheme });
      const check = async (shot: string) => {
        await b.shoot(page, `first-run-${name}-${shot}`);
        await assertNoSidewaysScroll(page);
      };
      const owner = await buildUser({ username: "owner" });
      await buildOrg(owner, { slug: "acme", name: "Acme Corp" });
      await (await loginAs(t.baseUrl, owner)).submit("/orgs/acme/invitations", { email: "newbie@example.test", role: "member" });
      const invitation = new URL(linkIn(await t.mailbox.waitFor("newbie@example.test"), "/invitations/")).pathname;
      await page.goto(`/signup?next=${encodeURIComponent(invitation)}`);
      await check("signup-invited");
      await page.goto("/login");
      await b.submitSignIn(page, pending.username, pending.password);
      await page.getByRole("heading", { name: "Confirm your email" }).waitFor();
      await page.getByText("Wrong address? Change it").click();
      await check("confirm-pending");
      await page.getByRole("main").getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/login");
      assert.equal(await page.getByLabel("Username or email").inputValue(), "new-one");
      await check("login-welcome-back");
      await b.submitSignIn(page, user.username, user.password);
      await page.getByRole("heading", { name: "Tell us about you" }).waitFor();
      await check("welcome");
      await page.getByRole("button", { name: "Save and continue" }).click();
      await page.waitForURL((url) => url.pathname === WELCOME_NEXT_PATH);
      await page.goto("/u/ada-l");
      await page.getByText("Only you can see this.").waitFor();
      await check("profile-preview");
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [red, green, blue] = background.match(/\d+/g)!.map(Number) as [number, number, number];
      assert.equal(red + green + blue < 150, colorScheme === "dark", `body background ${background} in the ${name} theme`);
    });
  }
});
