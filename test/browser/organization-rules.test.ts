import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { assertNoSidewaysScroll, PHONE, useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { addMember, buildOrg, buildTeam } from "../helpers/orgs";
import { buildAccessToken } from "../helpers/tokens";

describe("organization rules in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  /** Light and dark screenshots of the current page at its width (with SCREENSHOTS=1; for people to look at). */
  async function shoot(page: Page, name: string) {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      // The colours' CSS transitions run to their end first, so the picture shows the scheme itself.
      await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
      await b.shoot(page, `rules-${name}-${colorScheme}`);
    }
    await page.emulateMedia({ colorScheme: "light" });
  }

  /** How far the page scrolls sideways (0: it fits the window). */

  it("deletes an organization only once its slug is typed, and says so at home", async () => {
    const owner = await buildUser({ username: "olivia" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme Platform" });
    await addMember(org, await buildUser({ username: "nina" }), "member");
    for (const viewport of [undefined, PHONE]) {
      const page = await b.signedInPage(owner, viewport ? { viewport } : {});
      await page.goto("/orgs/acme/settings");
      await page.getByLabel("Type acme to confirm").fill("acme-typo");
      await page.getByRole("button", { name: "Delete organization" }).click();
      await page.getByText("Type acme to confirm.").waitFor();
      assert.equal(await page.getByLabel("Type acme to confirm").inputValue(), "acme-typo", "the typed value is kept");
      await assertNoSidewaysScroll(page);
      await shoot(page, `delete-refused-${viewport ? 390 : 1280}`);
    }
    const page = await b.signedInPage(owner);
    await page.goto("/orgs/acme/settings");
    await page.getByLabel("Type acme to confirm").fill("acme");
    await page.getByRole("button", { name: "Delete organization" }).click();
    await page.getByText("Deleted the organization Acme Platform. Its members were told by email.").waitFor();
    assert.equal(new URL(page.url()).pathname, "/");
    await t.mailbox.waitFor("nina@example.test", (m) => /Acme Platform was deleted/.test(m.subject));
  });

  it("searches the members list; addresses show to owners only, not to members", async () => {
    const owner = await buildUser({ username: "olivia", email: "olivia@example.test" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme Platform" });
    const nina = await buildUser({ username: "nina", displayName: "Nina Ramírez", email: "nina.ramirez.with.a.long.address@example.test" });
    await addMember(org, nina, "member");
    await addMember(org, await buildUser({ username: "nils", password: null }), "admin");
    await addMember(org, await buildUser({ username: "paul", password: null }), "member");
    for (const viewport of [undefined, PHONE]) {
      const page = await b.signedInPage(owner, viewport ? { viewport } : {});
      await page.goto("/orgs/acme/members");
      await page.getByLabel("Search by username, name or email").fill("ni");
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByText("2 members matching “ni”.").waitFor();
      assert.equal(await page.getByRole("listitem").filter({ hasText: "paul" }).count(), 0);
      await page.getByText("nina.ramirez.with.a.long.address@example.test").waitFor();
      await assertNoSidewaysScroll(page);
      await shoot(page, `members-search-${viewport ? 390 : 1280}`);
    }
    const asNina = await b.signedInPage(nina, { viewport: PHONE });
    await asNina.goto("/orgs/acme/members");
    await asNina.getByLabel("Search by username or name").fill("olivia@");
    await asNina.getByRole("button", { name: "Search" }).click();
    await asNina.getByText("No member matches “olivia@”.").waitFor();
    await asNina.getByRole("link", { name: "Show all" }).click();
    await asNina.getByText("4 members.").waitFor();
    assert.equal(await asNina.getByText("olivia@example.test").count(), 0);
    await shoot(asNina, "members-as-member-390");
  });

  it("shows the pages around the rules: home, invitations, the last owner, 403 (screenshots)", async () => {
    const owner = await buildUser({ username: "olivia", email: "olivia@example.test" });
    const other = await buildUser({ username: "oscar" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme Platform" });
    const theirs = await buildOrg(other, { slug: "globex", name: "Globex" });
    await addMember(theirs, owner, "member");
    const team = await buildTeam(org, "Platform");
    await buildAccessToken(t.ctx, owner, { description: "deploy bot", expiresInDays: 4 });
    const invited = await buildOrg(other, { slug: "initech", name: "Initech" });
    await db("invitations").insert({ organization_id: invited.id, email: "olivia@example.test", role: "member", inviter_id: other.id, token_hash: Buffer.alloc(32, 7), expires_at: new Date(Date.now() + 5 * 86_400_000) });
    for (const viewport of [undefined, PHONE]) {
      const w = viewport ? 390 : 1280;
      const page = await b.signedInPage(owner, viewport ? { viewport } : {});
      await page.getByText("oscar invited you to join Initech as a member.").waitFor();
      await page.getByRole("region", { name: /Tokens expiring/ }).getByText("deploy bot").waitFor();
      await page.getByRole("link", { name: "See your security log" }).waitFor();
      await assertNoSidewaysScroll(page);
      await shoot(page, `home-${w}`);

      await page.goto("/orgs/acme/invitations");
      await page.getByLabel("Email address").fill(`nina${w}@example.test`);
      await page.getByLabel("Platform").check();
      await page.getByRole("button", { name: "Send invitation" }).click();
      // On a phone the stacked table prefixes each cell with its label ("Teams: "), so the cell is found by its column.
      const teamsCell = page.getByRole("row").filter({ hasText: `nina${w}@` }).locator('td[data-label="Teams"]');
      await teamsCell.waitFor();
      assert.equal((await teamsCell.textContent())?.trim(), team.name);
      await page.getByLabel("Email address").fill("olivia@example.test");
      await page.getByRole("button", { name: "Send invitation" }).click();
      await page.getByText("That is your own address: you are already a member.").waitFor();
      await assertNoSidewaysScroll(page);
      await shoot(page, `invitations-${w}`);

      await page.goto("/orgs/acme/leave");
      await page.getByText("You are the last owner of Acme Platform").waitFor();
      assert.equal(await page.getByRole("button", { name: /Leave/ }).count(), 0);
      await assertNoSidewaysScroll(page);
      await shoot(page, `last-owner-${w}`);

      await page.goto("/orgs/globex/settings");
      await page.getByText("An owner or admin of Globex can change your role. Its owner is oscar.").waitFor();
      await assertNoSidewaysScroll(page);
      await shoot(page, `forbidden-${w}`);
    }
  });
});
