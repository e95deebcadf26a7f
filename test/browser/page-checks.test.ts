import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { buildAdmin } from "../helpers/admin";
import { DESKTOP, PHONE, useBrowser } from "../helpers/browser";
import { buildUser, loginAs } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";
import { addMember, buildOrg, buildTeam } from "../helpers/orgs";
import { buildAccessToken } from "../helpers/tokens";

/** axe-core's browser bundle, evaluated in each page (the page's CSP does not apply to evaluate). */
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** One problem found on one page: too wide, or an axe rule broken badly. */
interface Finding {
  page: string;
  problem: string;
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** How wide the page is against the window, and axe-core's serious and critical violations. */
async function inspect(page: Page): Promise<{ scrollWidth: number; innerWidth: number; widest: string[]; violations: AxeViolation[] }> {
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    // The elements that reach past the window's right edge (none of their children does), to name in a failure.
    const past = [...document.body.querySelectorAll("*")].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5);
    const widest = past
      .filter((el) => !past.some((other) => other !== el && el.contains(other)))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
    return {
      widest,
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      violations: result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })),
    };
  });
}

describe("every page at phone width, light and dark", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  /** The seeded world: an organization with people in each role, a team, tokens and invitations. */
  async function seed() {
    const olivia = await buildAdmin({ username: "olivia", displayName: "Olivia Okafor" });
    const nina = await buildUser({ username: "nina" });
    const carol = await buildUser({ username: "carol" });
    const dora = await buildUser({ username: "dora" });
    const una = await buildUser({ username: "una", email: "una@example.test", confirmed: false });
    const org = await buildOrg(olivia, { slug: "acme", name: "Acme Platform" });
    await addMember(org, nina, "admin");
    const carolMembership = await addMember(org, carol, "member");
    const team = await buildTeam(org, "Infrastructure", [{ id: nina.id, maintainer: true }, { id: carol.id }]);
    await buildAccessToken(t.ctx, olivia, { description: "CI deploys for the platform repository" });
    await buildAccessToken(t.ctx, olivia, { description: "Laptop CLI", expiresInDays: null });
    await db("users").where({ id: olivia.id }).update({ bio: "Runs the platform team.", profile_public: true });

    const owner = await loginAs(t.baseUrl, olivia);
    assert.equal((await owner.submit("/orgs/acme/tokens", { description: "Deploy pipeline for the staging cluster", scope: "organization", expires_in_days: "90" })).status, 302);
    assert.equal((await owner.submit("/orgs/acme/invitations", { email: "dan.with.a.long.address@example.com", role: "admin" })).status, 302);
    assert.equal((await owner.submit("/orgs/acme/invitations", { email: "una@example.test", role: "member" })).status, 302);
    const invitation = linkIn(await t.mailbox.waitFor("una@example.test", (m) => /invited you/.test(m.subject)), "/invitations/");
    await t.mailbox.waitFor("dan.with.a.long.address@example.com", (m) => /invited you/.test(m.subject));
    return { olivia, nina, carol, carolMembership, dora, una, team, invitation };
  }

  // One test per colour scheme, each with one browser context for all its pages.
  for (const colorScheme of ["light", "dark"] as const) {
    it(`has no horizontal overflow and no serious or critical axe violation on any page (${colorScheme})`, async () => {
      const world = await seed();
      const findings: Finding[] = [];
      const page = await b.newPage({ viewport: PHONE, colorScheme });

      /** Checks the page as it is now, under `name`. */
      const check = async (name: string) => {
        const label = `${name} (${colorScheme})`;
        if (process.env.SCREENSHOTS === "1") {
          // For people to look at: the page at phone and desktop width.
          const file = `pages-${name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "root"}-${colorScheme}`;
          await b.shoot(page, `${file}-390`);
          await page.setViewportSize(DESKTOP);
          await b.shoot(page, `${file}-1280`);
          await page.setViewportSize(PHONE);
        }
        const { scrollWidth, innerWidth, widest, violations } = await inspect(page);
        if (scrollWidth > innerWidth) findings.push({ page: label, problem: `${scrollWidth} px wide in a ${innerWidth} px window: ${widest.join(", ")}` });
        for (const v of violations) {
          findings.push({ page: label, problem: `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `      ${n.target.join(" ")}: ${n.failureSummary.replace(/\n/g, " ")}`).join("\n")}` });
        }
      };
      /** Goes to `path`, expects `status`, and checks the page. */
      const visit = async (path: string, status = 200, name = path) => {
        const res = await page.goto(path);
        assert.equal(res?.status(), status, `GET ${path} answered ${res?.status()}`);
        await check(name);
      };
      const signIn = (user: { username: string; password: string }) => b.signIn(page, user.username, user.password);
      const signInUnconfirmed = async (user: { username: string; password: string }) => {
        await page.goto("/login");
        await b.submitSignIn(page, user.username, user.password);
        await page.waitForLoadState("load");
      };

      // Signed out
      await visit("/");
      await visit("/login");
      await visit("/signup");
      await page.getByLabel("Username").fill("x");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForLoadState("load");
      await check("/signup refused");
      await visit("/password/forgot");
      await page.getByLabel("Email address").fill(world.nina.email);
      await page.getByRole("button", { name: /Send/ }).click();
      await page.waitForLoadState("load");
      await check("/password/forgot sent");
      const reset = linkIn(await t.mailbox.waitFor(world.nina.email, (m) => /password/i.test(m.subject)), "/password/reset/");
      t.mailbox.clear();
      await visit(new URL(reset).pathname, 200, "/password/reset");
      await visit(new URL(world.invitation).pathname, 200, "/invitations (signed out)");
      await visit("/no-such-page", 404);

      // The invitation seen by someone else, and by its unconfirmed addressee
      await signIn(world.dora);
      await visit(new URL(world.invitation).pathname, 200, "/invitations (someone else)");
      await b.signOut(page);
      await signInUnconfirmed(world.una);
      await visit(new URL(world.invitation).pathname, 200, "/invitations (unconfirmed)");
      await page.locator(".user-menu summary").click();
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/login");

      // A member where only owners may go
      await signIn(world.carol);
      await visit("/orgs/acme/settings", 403);
      await b.signOut(page);

      // The owner, who is also a site admin
      await signIn(world.olivia);
      await check("/ (home)");
      await page.locator(".user-menu summary").click();
      await check("/ (user menu open)");
      await page.keyboard.press("Escape");
      for (const section of ["profile", "account", "password", "security", "passkeys", "sessions", "security/log", "identities", "tokens", "notifications", "organizations"]) {
        await visit(`/settings/${section}`);
      }
      await page.goto("/settings/profile");
      await page.getByLabel("Link 1").fill("javascript:alert(1)");
      await page.getByLabel("Link 2").fill("ftp://files.example.com");
      await page.getByRole("button", { name: "Save profile" }).click();
      await page.locator("[data-error-summary]").waitFor();
      await check("/settings/profile refused");
      await page.goto("/settings/tokens");
      await page.getByLabel("Expiration").selectOption("none");
      await check("/settings/tokens (no expiry chosen)");
      await page.getByLabel("Description").fill("Release script");
      await page.getByRole("button", { name: "Create token" }).click();
      await page.getByTestId("new-token").waitFor();
      await check("/settings/tokens (new token)");
      await visit(`/u/${world.olivia.username}`);
      await visit("/orgs/nowhere", 404);
      await visit("/orgs/new");
      for (const tab of ["", "/members", "/teams", `/teams/${world.team.id}`, "/invitations", "/tokens", "/settings", "/audit"]) {
        await visit(`/orgs/acme${tab}`);
      }
      await page.goto("/orgs/acme/tokens");
      await page.getByLabel("Description").fill("Nightly backup");
      await page.getByRole("button", { name: "Create token" }).click();
      await page.getByTestId("new-token").waitFor();
      await check("/orgs/acme/tokens (new token)");
      await visit(`/orgs/acme/teams/${world.team.id}/delete`);
      await visit(`/orgs/acme/members/${world.carolMembership}/remove`);
      const personal = await db("access_tokens").where({ user_id: world.olivia.id }).first();
      await visit(`/settings/tokens/${personal.id}/revoke`);
      const consent = new URLSearchParams({
        client_id: "terraform-cli", redirect_uri: "http://localhost:10000/login", response_type: "code",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256", state: "page-checks",
      });
      await visit(`/cli/login?${consent}`, 200, "/cli/login");
      const userId = world.nina.id;
      for (const path of ["/admin", "/admin/users", `/admin/users/${userId}`, "/admin/orgs", "/admin/orgs/acme", "/admin/settings", "/admin/audit", "/admin/mail"]) {
        await visit(path);
      }
      await b.signOut(page);

      const report = findings.map((f) => `  ${f.page}: ${f.problem}`).join("\n");
      assert.equal(findings.length, 0, `Pages with problems:\n${report}`);
    });
  }
});
