import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { buildOrg } from "../helpers/orgs";
import { buildAdmin } from "../helpers/admin";
import { buildAccessToken } from "../helpers/tokens";

const PAGES = ["/admin/users", "/admin/users/:ada", "/admin/users/:ada/delete", "/admin/orgs", "/admin/orgs/engines", "/admin/settings", "/admin/audit", "/admin/mail"];
const SIZES = [["desktop", 1280, 900], ["phone", 390, 844]] as const;

describe("the admin area in a real browser", () => {
  const t = useTestApp({ SESSION_REMEMBER_DAYS: "14" });
  const b = useBrowser(t);

  async function seed() {
    const admin = await buildAdmin({ username: "root", displayName: "Site Operator" });
    const ada = await buildUser({ username: "ada", email: "ada@lovelace.example", displayName: "Ada Lovelace" });
    await buildUser({ username: "grace", confirmed: false, displayName: "Grace Hopper" });
    for (let i = 0; i < 6; i++) await buildUser({ username: `member${i}`, displayName: `Member ${i}` });
    const org = await buildOrg(ada, { slug: "engines", name: "Analytical Engines" });
    await db("memberships").insert({ organization_id: org.id, user_id: admin.id, role: "admin" });
    await buildAccessToken(t.ctx, ada, { description: "laptop CLI" });
    await db("outbound_mails").insert({ user_id: ada.id, to: ada.email, subject: "Confirm your email", text: "-", message_id: "<seed@test>", attempts: 7, last_error: "550 5.1.1 mailbox unavailable", failed_at: new Date() });
    return { admin, ada };
  }

  it("an admin finds a user, suspends them after reading what happens, and sees it in the audit log", async () => {
    const { admin, ada } = await seed();
    const page = await b.signedInPage(admin, { viewport: { width: 1280, height: 900 } });
    const adaPage = await b.signedInPage(ada);

    await page.locator(".user-menu summary").click();
    await page.getByRole("link", { name: "Administration" }).click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await page.getByLabel("Search by username, email or name").fill("lovelace");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: "ada" }).click();
    await page.getByRole("link", { name: "Suspend account" }).click();
    await page.getByLabel(/Reason/).fill("Sending spam");
    await page.getByRole("button", { name: "Suspend account" }).click();
    await page.getByText("ada is suspended").waitFor();
    await adaPage.goto("/settings/profile");
    assert.equal(new URL(adaPage.url()).pathname, "/login", "her open browser is signed out on its next request");

    await page.getByRole("link", { name: "Instance settings" }).click();
    await page.getByLabel(/By invitation only/).check();
    await page.getByRole("button", { name: "Save instance settings" }).click();
    await page.getByText("Instance settings saved.").waitFor();
    await page.getByRole("link", { name: "Audit log" }).click();
    assert.match(await page.locator("table").innerText(), /user\.suspended[\s\S]*ada|instance_settings\.updated/);
  });

  it("shows every admin page, wide and narrow, light and dark", async () => {
    const { admin, ada } = await seed();
    for (const scheme of ["light", "dark"] as const) {
      for (const [size, width, height] of SIZES) {
        const page = await b.signedInPage(admin, { viewport: { width, height }, colorScheme: scheme });
        for (const path of PAGES) {
          const res = await page.goto(path.replace(":ada", String(ada.id)));
          assert.equal(res?.status(), 200, path);
          await b.shoot(page, `admin${path.replace(/\/:ada/, "-user").replaceAll("/", "-").replace(/^-admin/, "")}-${size}-${scheme}`);
        }
      }
    }
  });
});
