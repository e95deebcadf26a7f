import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { assertNoSidewaysScroll, PHONE, useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { addMember, buildOrg } from "../helpers/orgs";
import { buildScimToken } from "../routes/scim/helpers";

describe("SCIM settings in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  it("creates a SCIM token shown once, revokes it after asking, and fits a phone in light and dark", async () => {
    const owner = await buildUser();
    const org = await buildOrg(owner, { slug: "acme", name: "Acme Corporation" });
    for (let i = 0; i < 2; i++) await addMember(org, await buildUser(), "member");
    await buildScimToken(org, owner);
    const page = await b.signedInPage(owner);
    await page.goto("/orgs/acme/settings");
    await page.getByRole("link", { name: "Set up SCIM provisioning" }).click();
    await page.getByRole("heading", { name: "SCIM provisioning" }).waitFor();
    assert.equal((await page.getByTestId("scim-base-url").innerText()).trim(), `${t.baseUrl}/scim/v2/orgs/acme`);
    await page.getByRole("button", { name: "Create SCIM token" }).click();
    const token = (await page.getByTestId("new-token").innerText()).trim();
    assert.match(token, /^gts_[0-9A-Za-z]{49}$/);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await b.shoot(page, `scim-settings-1280-${colorScheme}`);
    }
    await page.reload();
    assert.equal(await page.getByTestId("new-token").count(), 0, "the secret is gone after a reload");

    for (const colorScheme of ["light", "dark"] as const) {
      const phone = await b.signedInPage(owner, { viewport: PHONE, colorScheme });
      await phone.goto("/orgs/acme/settings/scim");
      await assertNoSidewaysScroll(phone);
      await b.shoot(phone, `scim-settings-390-${colorScheme}`);
    }

    await page.getByRole("link", { name: `Revoke gts_…${token.slice(-4)}` }).click();
    await page.getByRole("button", { name: "Revoke SCIM token" }).click();
    await page.getByText("The SCIM token was revoked.").waitFor();
    assert.equal(await page.getByRole("link", { name: `Revoke gts_…${token.slice(-4)}` }).count(), 0);
  });
});
