import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { recheckAllBackings } from "../../src/services/org-backing-recheck";
import { useTestApp } from "../helpers/app";
import { DESKTOP, PHONE, useBrowser } from "../helpers/browser";
import { linkIn } from "../helpers/mailbox";
import { buildOrg } from "../helpers/orgs";
import { useProviderEmulators } from "../helpers/providers";

describe("an organization backed by a GitHub organization, in a real browser", () => {
  const env: Record<string, string> = {};
  const emulators = useProviderEmulators(env);
  const t = useTestApp(env);
  const b = useBrowser(t);

  /** Fills the GitHub emulator's consent page as `login` and authorizes. */
  async function authorizeAs(page: Page, login: string, email?: string) {
    await page.getByLabel("Account name").fill(login);
    if (email) {
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Email is verified").check();
    }
    await page.getByRole("button", { name: "Authorize" }).click();
  }

  async function signUpWithGitHub(page: Page, login: string) {
    await page.goto("/signup");
    await page.getByRole("button", { name: "Continue with GitHub" }).click();
    await authorizeAs(page, login, `${login}@example.test`);
    await page.waitForURL(`${t.baseUrl}/`);
  }

  /** Screenshots of the page at 1280 and 390 wide, light and dark (SCREENSHOTS=1 only). */
  async function shootAll(page: Page, name: string) {
    for (const [size, viewport] of [["1280", DESKTOP], ["390", PHONE]] as const) {
      for (const scheme of ["light", "dark"] as const) {
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme: scheme });
        await b.shoot(page, `${name}-${size}-${scheme}`);
      }
    }
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: "light" });
  }

  it("invites a member of the GitHub organization with one click, and removes them once they left it", async () => {
    const github = emulators.byName.github;
    github.orgs.set("acme-gh", { id: 777, members: { "ob-owner": "admin", "ob-member": "member" } });

    const owner = await b.newPage();
    await signUpWithGitHub(owner, "ob-owner");
    const ownerRow = await db("users").where({ username: "ob-owner" }).first();
    const org = await buildOrg(ownerRow, { slug: "acme", name: "Acme" });

    await owner.goto(`/orgs/${org.slug}/settings`);
    await owner.getByRole("button", { name: "Back this organization with a GitHub organization" }).click();
    await authorizeAs(owner, "ob-owner");
    await owner.getByLabel("acme-gh").check();
    await owner.getByRole("button", { name: "Back this organization" }).click();
    await owner.getByText("Acme is now backed by the GitHub organization acme-gh.").waitFor();
    await owner.getByRole("heading", { name: "GitHub organization" }).scrollIntoViewIfNeeded();
    await shootAll(owner, "org-backing-settings");

    const member = await b.newPage();
    await signUpWithGitHub(member, "ob-member");

    await owner.goto(`/orgs/${org.slug}/invitations`);
    await owner.getByRole("heading", { name: "People in acme-gh on Gatehouse" }).waitFor();
    await shootAll(owner, "org-backing-invite-list");
    await owner.getByRole("button", { name: "Invite ob-member" }).click();
    await owner.getByText("Invited ob-member as member.").waitFor();

    const mail = await t.mailbox.waitFor("ob-member@example.test", (m) => /invit/i.test(m.subject));
    await member.goto(linkIn(mail, "/invitations/"));
    await member.getByRole("button", { name: "Accept and join Acme" }).click();
    await member.waitForURL(`**/orgs/${org.slug}`);

    github.orgs.set("acme-gh", { id: 777, members: { "ob-owner": "admin" } });
    assert.equal(await recheckAllBackings(t.ctx), 1);
    assert.equal((await member.goto(`/orgs/${org.slug}`))?.status(), 404);
    await owner.goto(`/orgs/${org.slug}/members`);
    assert.equal(await owner.getByText("ob-member").count(), 0);
  });
});
