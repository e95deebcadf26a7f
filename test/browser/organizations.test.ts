import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { buildUser, loginAs } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";
import { addMember, buildOrg } from "../helpers/orgs";

describe("organizations in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  /** Light and dark screenshots of the current page (with SCREENSHOTS=1; for people to look at). */
  async function shoot(page: Page, name: string) {
    await page.emulateMedia({ colorScheme: "light" });
    await b.shoot(page, `orgs-${name}-light`);
    await page.emulateMedia({ colorScheme: "dark" });
    await b.shoot(page, `orgs-${name}-dark`);
    await page.emulateMedia({ colorScheme: "light" });
  }

  /** Olivia's organization Acme Platform (/orgs/acme), and, when `nina` is given, Nina in it with that role. */
  async function acme(nina?: "member" | "admin" | "owner") {
    const owner = await buildUser({ username: "olivia" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme Platform" });
    const member = nina ? await buildUser({ username: "nina", email: "nina@example.test" }) : undefined;
    if (member) await addMember(org, member, nina!);
    return { owner, org, nina: member };
  }

  /** Changes Nina's role on the members page, as the person signed in on `page`. */
  async function changeNinasRole(page: Page, role: string) {
    await page.goto("/orgs/acme/members");
    await page.getByLabel("Role of nina").selectOption(role);
    await page.getByRole("listitem").filter({ hasText: "nina" }).getByRole("button", { name: "Change role" }).click();
  }

  it("creates an organization from the home page", async () => {
    const owner = await buildUser({ username: "olivia" });
    const o = await b.signedInPage(owner);
    await o.getByRole("link", { name: /New organization/ }).click();
    await o.getByLabel("Organization name").fill("Acme Platform");
    await o.getByLabel("URL name").fill("acme");
    await shoot(o, "new");
    await o.getByRole("button", { name: "Create organization" }).click();
    await o.getByText("Created Acme Platform. You are its owner.").waitFor();
    await shoot(o, "overview");
  });

  it("invites a person by email", async () => {
    const { owner } = await acme();
    const o = await b.signedInPage(owner);
    await o.goto("/orgs/acme");
    await o.getByRole("navigation", { name: "Organization" }).getByRole("link", { name: "Invitations" }).click();
    await o.getByLabel("Email address").fill("nina@example.test");
    await o.getByLabel("Role").selectOption("member");
    await o.getByRole("button", { name: "Send invitation" }).click();
    await o.getByText("Invited nina@example.test as member.").waitFor();
    await shoot(o, "invitations");
    await t.mailbox.waitFor("nina@example.test", (m) => /olivia invited you to join Acme Platform/.test(m.subject));
  });

  it("lets a new person follow the invitation, sign up on the way, confirm and join", async () => {
    const { owner } = await acme();
    const ownerClient = await loginAs(t.baseUrl, owner);
    assert.equal((await ownerClient.submit("/orgs/acme/invitations", { email: "nina@example.test", role: "member" })).status, 302);
    const invitationUrl = linkIn(await t.mailbox.waitFor("nina@example.test", (m) => /invited you to join Acme Platform/.test(m.subject)), "/invitations/");

    const n = await b.newPage();
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
    // Confirming in the browser that signed up signs in; the about-you step then leads back to the invitation.
    await n.getByRole("heading", { name: "Tell us about you" }).waitFor();
    await n.getByRole("button", { name: "Skip for now" }).click();
    await n.waitForURL((u) => u.pathname.startsWith("/invitations/"));
    await shoot(n, "invitation-ready");
    await n.getByRole("button", { name: "Accept and join Acme Platform" }).click();
    await n.getByText("Welcome to Acme Platform!").waitFor();
  });

  it("lets the owner promote a member to admin", async () => {
    const { owner } = await acme("member");
    const o = await b.signedInPage(owner);
    await changeNinasRole(o, "admin");
    await o.getByText("nina is now an admin.").waitFor();
  });

  it("lets an admin invite someone, without offering the owner role", async () => {
    const { nina } = await acme("admin");
    const n = await b.signedInPage(nina!);
    await n.goto("/orgs/acme/invitations");
    assert.deepEqual(await n.getByLabel("Role").locator("option").allTextContents(), ["Member", "Admin"]);
    await n.getByLabel("Email address").fill("theo@example.test");
    await n.getByLabel("Role").selectOption("member");
    await n.getByRole("button", { name: "Send invitation" }).click();
    await n.getByText("Invited theo@example.test as member.").waitFor();
    await t.mailbox.waitFor("theo@example.test", (m) => /nina invited you to join Acme Platform/.test(m.subject));
  });

  it("lets the owner hand ownership over and leave", async () => {
    const { owner } = await acme("admin");
    const o = await b.signedInPage(owner);
    await changeNinasRole(o, "owner");
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
  });

  it("lets an owner create a team and a token that acts as it", async () => {
    const { nina } = await acme("owner");
    const n = await b.signedInPage(nina!);
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
    // Pages for people to look at: the owner's settings of the organization and her own list.
    for (const [path, name] of [["/orgs/acme/settings", "settings"], ["/settings/organizations", "settings-organizations"], ["/", "home"]] as const) {
      await n.goto(path);
      await shoot(n, name);
    }
  });
});
