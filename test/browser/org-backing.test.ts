import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { recheckAllBackings } from "../../src/services/org-backing-recheck";
import { useTestApp } from "../helpers/app";
import { skipAboutYou, useBrowser } from "../helpers/browser";
import { linkIn } from "../helpers/mailbox";
import { buildOrg } from "../helpers/orgs";
import { useProviderEmulators } from "../helpers/providers";

describe("an organization backed by a GitHub organization or a GitLab group, in a real browser", () => {
  const env: Record<string, string> = {};
  const emulators = useProviderEmulators(env);
  const t = useTestApp(env);
  const b = useBrowser(t);

  /** Fills the provider emulator's consent page as `login` and authorizes. */
  async function authorizeAs(page: Page, login: string, email?: string) {
    await page.getByLabel("Account name").fill(login);
    if (email) {
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Email is verified").check();
    }
    await page.getByRole("button", { name: "Authorize" }).click();
  }

  async function signUpWith(page: Page, label: "GitHub" | "GitLab", login: string) {
    await page.goto("/signup");
    await page.getByRole("button", { name: `Continue with ${label}` }).click();
    await authorizeAs(page, login, `${login}@example.test`);
    await skipAboutYou(page);
  }

  it("invites a member of the GitHub organization with one click, and removes them once they left it", async () => {
    const github = emulators.byName.github;
    github.orgs.set("acme-gh", { id: 777, members: { "ob-owner": "admin", "ob-member": "member" } });

    const owner = await b.newPage();
    await signUpWith(owner, "GitHub", "ob-owner");
    const ownerRow = await db("users").where({ username: "ob-owner" }).first();
    const org = await buildOrg(ownerRow, { slug: "acme", name: "Acme" });

    await owner.goto(`/orgs/${org.slug}/settings`);
    await owner.getByRole("button", { name: "Back this organization with a GitHub organization" }).click();
    await authorizeAs(owner, "ob-owner");
    await owner.getByLabel("acme-gh").check();
    await owner.getByRole("button", { name: "Back this organization" }).click();
    await owner.getByText("Acme is now backed by the GitHub organization acme-gh.").waitFor();
    await owner.getByRole("heading", { name: "GitHub organization" }).scrollIntoViewIfNeeded();
    await b.shootEveryWay(owner, "org-backing-settings");

    const member = await b.newPage();
    await signUpWith(member, "GitHub", "ob-member");

    await owner.goto(`/orgs/${org.slug}/invitations`);
    await owner.getByRole("heading", { name: "People in acme-gh on Gatehouse" }).waitFor();
    await b.shootEveryWay(owner, "org-backing-invite-list");
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

  it("invites a member of the GitLab group with one click, and removes them once they left it", async () => {
    const gitlab = emulators.byName.gitlab;
    gitlab.orgs.set("acme-gl/platform", { id: 909, members: { "gb-owner": "admin", "gb-member": "member" } });

    const owner = await b.newPage();
    await signUpWith(owner, "GitLab", "gb-owner");
    const ownerRow = await db("users").where({ username: "gb-owner" }).first();
    const org = await buildOrg(ownerRow, { slug: "acme-gl", name: "Acme GL" });

    await owner.goto(`/orgs/${org.slug}/settings`);
    await owner.getByRole("heading", { name: "Backing", exact: true }).scrollIntoViewIfNeeded();
    await b.shootEveryWay(owner, "org-backing-gitlab-offer");
    await owner.getByRole("button", { name: "Back this organization with a GitLab group" }).click();
    await authorizeAs(owner, "gb-owner");
    await owner.getByRole("heading", { name: "Choose a GitLab group" }).waitFor();
    await b.shootEveryWay(owner, "org-backing-gitlab-choose");
    await owner.getByLabel("acme-gl/platform").check();
    await owner.getByRole("button", { name: "Back this organization" }).click();
    await owner.getByText("Acme GL is now backed by the GitLab group acme-gl/platform.").waitFor();
    await owner.getByRole("heading", { name: "GitLab group", exact: true }).scrollIntoViewIfNeeded();
    await b.shootEveryWay(owner, "org-backing-gitlab-settings");

    const member = await b.newPage();
    await signUpWith(member, "GitLab", "gb-member");

    await owner.goto(`/orgs/${org.slug}/invitations`);
    await owner.getByRole("heading", { name: "People in acme-gl/platform on Gatehouse" }).waitFor();
    await b.shootEveryWay(owner, "org-backing-gitlab-invite-list");
    await owner.getByRole("button", { name: "Invite gb-member" }).click();
    await owner.getByText("Invited gb-member as member.").waitFor();

    const mail = await t.mailbox.waitFor("gb-member@example.test", (m) => /invit/i.test(m.subject));
    await member.goto(linkIn(mail, "/invitations/"));
    await member.getByRole("button", { name: "Accept and join Acme GL" }).click();
    await member.waitForURL(`**/orgs/${org.slug}`);

    gitlab.orgs.set("acme-gl/platform", { id: 909, members: { "gb-owner": "admin" } });
    assert.equal(await recheckAllBackings(t.ctx), 1);
    assert.equal((await member.goto(`/orgs/${org.slug}`))?.status(), 404);
    const removal = await t.mailbox.waitFor("gb-member@example.test", (m) => /no longer have access/.test(m.subject));
    assert.match(removal.text, /GitLab group acme-gl\/platform/);
    await owner.goto(`/orgs/${org.slug}/members`);
    assert.equal(await owner.getByText("gb-member").count(), 0);
  });
});
