import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { assertFitsPhone, useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { useOidcIdp } from "../helpers/oidc-idp";
import { buildOrg, roleOf } from "../helpers/orgs";
import { verifyDomain } from "../helpers/sso";

describe("organization single sign-on in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);
  const idp = useOidcIdp();

  it("an owner sets up OpenID Connect, and a new member signs in through it just in time", async () => {
    const owner = await buildUser({ username: "owner", email: "owner@elsewhere.test" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme" });
    await verifyDomain(org, "acme.test");
    idp.allowRedirectUri(`${t.baseUrl}/sso/${org.id}/oidc/callback`);

    const ownerPage = await b.signedInPage(owner);
    await ownerPage.goto(`${t.baseUrl}/orgs/acme/settings/sso`);
    await ownerPage.getByLabel("Issuer URL").fill(idp.issuer);
    await ownerPage.getByLabel("Client id").fill(idp.clientId);
    await ownerPage.getByLabel("Client secret").fill(idp.clientSecret);
    await ownerPage.getByRole("button", { name: "Test and save OpenID Connect" }).click();
    await ownerPage.getByText("OpenID Connect is set up.").waitFor();
    assert.equal(await ownerPage.getByText(idp.clientSecret).count(), 0);
    await assertFitsPhone(ownerPage);
    await b.shootEveryWay(ownerPage, "sso-settings");

    const page = await b.newPage();
    await page.goto(`${t.baseUrl}/login`);
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await page.waitForURL(/\/login\/sso$/);
    await assertFitsPhone(page);
    await b.shootEveryWay(page, "sso-login");
    await page.getByLabel("Work email or organization slug").fill("ada@acme.test");
    await page.getByRole("button", { name: "Continue with SSO" }).click();
    // The continue page submits itself to the IdP, which signs the test person in and sends them back.
    await page.getByText("Your account was created through Acme single sign-on").waitFor();
    const ada = await db("users").where({ email: "ada@acme.test" }).first();
    assert.equal(await roleOf(org, ada), "member");
    const overview = await page.goto(`${t.baseUrl}/orgs/acme`);
    assert.equal(overview?.status(), 200);
  });
});
