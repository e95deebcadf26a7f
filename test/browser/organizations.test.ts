import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { useTestApp } from "../helpers/app";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";
import { db } from "../../src/db/knex";

describe("organizations in a real browser", () => {
  const t = useTestApp();
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1200, height: 800 } });
    return { context, page: await context.newPage() };
  }

  async function signIn(page: Page, login: string, password: string) {
    await page.getByLabel("Username or email").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  /**
   * Light and dark screenshots of the current page (git-ignored, for people to look at). Only with
   * SCREENSHOTS=1: twenty full-page shots would double this test's time in the suite.
   */
  async function shoot(page: Page, name: string) {
    if (process.env.SCREENSHOTS !== "1") return;
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: screenshotPath(`orgs-${name}-light`), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath(`orgs-${name}-dark`), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  }

  it("create, invite a new person who signs up, promote, invite again, transfer ownership and leave", async () => {
    const owner = await buildUser({ username: "olivia" });
    const { page: o } = await newPage();
    await o.goto("/login");
    await signIn(o, owner.username, owner.password);
    await o.waitForURL((u) => u.pathname === "/");

    // The owner creates the organization from the home page.
    await o.getByRole("link", { name: /New organization/ }).click();
    await o.getByLabel("Organization name").fill("Acme Platform");
    await o.getByLabel("URL name").fill("acme");
    await shoot(o, "new");
    await o.getByRole("button", { name: "Create organization" }).click();
    await o.getByText("Created Acme Platform. You are its owner.").waitFor();
    await shoot(o, "overview");

    // ... and invites a new person by email.
    await o.getByRole("navigation", { name: "Organization" }).getByRole("link", { name: "Invitations" }).click();
    await o.getByLabel("Email address").fill("nina@example.test");
    await o.getByLabel("Role").selectOption("member");
    await o.getByRole("button", { name: "Send invitation" }).click();
    await o.getByText("Invitation sent to nina@example.test.").waitFor();
    await shoot(o, "invitations");

    // The person follows the mail, signs up on the way, confirms and lands back on the invitation.
    const invitationUrl = linkIn(await t.mailbox.waitFor("nina@example.test", (m) => /invited you to join Acme Platform/.test(m.subject)), "/invitations/");
    const { page: n } = await newPage();
    await n.goto(invitationUrl);
    await n.getByRole("heading", { name: "Join Acme Platform" }).waitFor();
    await shoot(n, "invitation-signed-out");
    await n.getByRole("link", { name: "Create an account" }).click();
    await n.getByLabel("Username").fill("nina");
    await n.getByLabel("Email address").fill("nina@example.test");
    await n.getByLabel("Password").fill("a long enough passphrase here");
    await n.getByRole("button", { name: "Create account" }).click();
    await n.getByRole("heading", { name: "Check your email" }).waitFor();
    const confirmUrl = linkIn(await t.mailbox.waitFor("nina@example.test", (m) => /Confirm/.test(m.subject)), "/email/confirm/");
    await n.goto(confirmUrl);
    await n.getByRole("button", { name: "Confirm email address" }).click();
    await n.waitForURL((u) => u.pathname === "/login");
    await signIn(n, "nina", "a long enough passphrase here");
    await n.waitForURL((u) => u.pathname.startsWith("/invitations/"));
    await shoot(n, "invitation-ready");
    await n.getByRole("button", { name: "Accept and join Acme Platform" }).click();
    await n.getByText("Welcome to Acme Platform!").waitFor();

    // The owner promotes her to admin.
    await o.goto("/orgs/acme/members");
    await o.getByLabel("Role of nina").selectOption("admin");
    await o.getByRole("listitem").filter({ hasText: "nina" }).getByRole("button", { name: "Change role" }).click();
    await o.getByText("nina is now an admin.").waitFor();

    // As an admin she invites a third person (and is not offered the owner role).
    await n.goto("/orgs/acme/invitations");
    assert.deepEqual(await n.getByLabel("Role").locator("option").allTextContents(), ["Member", "Admin"]);
    await n.getByLabel("Email address").fill("theo@example.test");
    await n.getByLabel("Role").selectOption("member");
    await n.getByRole("button", { name: "Send invitation" }).click();
    await n.getByText("Invitation sent to theo@example.test.").waitFor();
    await t.mailbox.waitFor("theo@example.test", (m) => /nina invited you to join Acme Platform/.test(m.subject));

    // The owner hands over ownership and leaves.
    await o.goto("/orgs/acme/members");
    await o.getByLabel("Role of nina").selectOption("owner");
    await o.getByRole("listitem").filter({ hasText: "nina" }).getByRole("button", { name: "Change role" }).click();
    await o.getByText("nina is now an owner.").waitFor();
    await shoot(o, "members");
    await o.goto("/orgs/acme");
    await o.getByRole("link", { name: "Leave organization" }).click();
    await shoot(o, "leave");
    await o.getByRole("button", { name: "Leave Acme Platform" }).click();
    await o.getByText("You left Acme Platform.").waitFor();
    assert.equal(new URL(o.url()).pathname, "/settings/organizations");

    const rows = await db("memberships as m").join("users as u", "u.id", "m.user_id").join("organizations as o", "o.id", "m.organization_id").where("o.slug", "acme").select("u.username", "m.role");
    assert.deepEqual(rows, [{ username: "nina", role: "owner" }]);

    // Pages for people to look at: the new owner's view of the org and her settings list.
    await n.goto("/orgs/acme/teams");
    await n.getByLabel("Team name").fill("Platform");
    await n.getByRole("button", { name: "Create team" }).click();
    await n.getByText("Created the team Platform.").waitFor();
    await shoot(n, "team");
    await n.goto("/orgs/acme/tokens");
    await n.getByLabel("Description").fill("Deploy pipeline");
    await n.getByLabel("Acts as").selectOption({ label: "Team Platform (gtt_)" });
    await n.getByRole("button", { name: "Create token" }).click();
    assert.match(await n.getByTestId("new-token").innerText(), /^gtt_/);
    await shoot(n, "tokens");
    await n.goto("/orgs/acme/settings");
    await shoot(n, "settings");
    await n.goto("/settings/organizations");
    await shoot(n, "settings-organizations");
    await n.goto("/");
    await shoot(n, "home");
  });
});
