import assert from "node:assert/strict";
import crypto from "node:crypto";
import { beforeEach, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { useTestApp } from "../helpers/app";
import { assertFitsPhone, useBrowser } from "../helpers/browser";
import { useTestDns } from "../helpers/dns-server";
import { buildUser } from "../helpers/factories";
import { addMember, buildOrg, roleOf } from "../helpers/orgs";
import { useSamlIdpServer } from "../helpers/saml-idp";
import { verifyDomain } from "../helpers/sso";

describe("organization single sign-on with SAML 2.0 in a real browser", () => {
  const { dns, env } = useTestDns();
  const t = useTestApp(env);
  const b = useBrowser(t);
  const idp = useSamlIdpServer();

  beforeEach(() => {
    idp.person = { nameId: "saml-user-1", email: "grace@acme.test", name: "Grace Hopper" };
    idp.answerWith = {};
    idp.requests.length = 0;
    idp.issued.length = 0;
  });

  /** The owner, in the browser, pastes the IdP's metadata on the SSO page of an "acme" with acme.test verified. */
  async function acmeWithSaml() {
    const owner = await buildUser({ username: "owner", email: "owner@elsewhere.test" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme" });
    await verifyDomain(org, "acme.test");
    const ownerPage = await b.signedInPage(owner);
    await ownerPage.goto("/orgs/acme/settings/sso");
    await ownerPage.getByText("Use SAML 2.0").click();
    await ownerPage.getByLabel("Or metadata XML").fill(idp.metadata());
    await ownerPage.getByRole("button", { name: "Check and save SAML" }).click();
    await ownerPage.getByText("SAML single sign-on is set up.").waitFor();
    return { owner, org, ownerPage };
  }

  /** From /login, "Sign in with SSO" by work address up to the IdP's sign-in page. */
  async function startAtLogin(page: Page, email: string) {
    await page.goto("/login");
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await page.waitForURL(/\/login\/sso$/);
    await page.getByLabel("Work email or organization slug").fill(email);
    await page.getByRole("button", { name: "Continue with SSO" }).click();
    // Our "Continue to Acme" page submits itself to the IdP's SSO URL.
    await page.getByRole("heading", { name: "Test identity provider" }).waitFor();
  }

  /** True when the browser is signed out: a signed-in page sends it to the sign-in form. */
  async function signedOut(page: Page): Promise<boolean> {
    await page.goto("/settings/profile");
    return new URL(page.url()).pathname === "/login";
  }

  /**
   * Opens the IdP's page that posts issued response `index` again. It submits itself while it
   * loads, so waiting for its load event would race that next navigation: only its arrival is awaited.
   */
  async function resend(page: Page, index: number) {
    await page.goto(idp.resendUrl(index), { waitUntil: "commit" });
  }

  /** Waits for a refusal page and checks that it says what happened and offers a new start. */
  async function refusal(page: Page, heading: string, reason: RegExp) {
    await page.getByRole("heading", { name: heading }).waitFor();
    assert.match((await page.locator(".auth-card p").first().textContent()) ?? "", reason);
    assert.equal(await page.getByRole("link", { name: "Try again" }).getAttribute("href"), "/login/sso");
  }

  it("an owner verifies the domain and sets SAML up by hand; a new person signs in through the IdP's pages just in time", async () => {
    const owner = await buildUser({ username: "owner", email: "owner@elsewhere.test" });
    const org = await buildOrg(owner, { slug: "acme", name: "Acme" });
    const o = await b.signedInPage(owner);
    await o.goto("/orgs/acme/settings/sso");
    await o.getByLabel("Add a domain").fill("acme.test");
    await o.getByRole("button", { name: "Add domain" }).click();
    await o.getByText("Added acme.test.", { exact: false }).waitFor();
    dns.set((await o.getByTestId("record-name").textContent())!, [(await o.getByTestId("record-value").textContent())!]);
    await o.getByRole("button", { name: "Verify acme.test" }).click();
    await o.getByText("acme.test is verified.").waitFor();

    // What the IdP's administrator copies from us, built from BASE_URL and the organization's id.
    const acsUrl = `${t.baseUrl}/sso/${org.id}/saml/acs`;
    const spEntityId = `${t.baseUrl}/sso/${org.id}/saml/metadata`;
    assert.equal(await o.getByTestId("acs-url").textContent(), acsUrl);
    assert.equal(await o.getByTestId("sp-entity-id").textContent(), spEntityId);
    await o.getByText("Use SAML 2.0").click();
    await o.getByLabel("Or by hand: IdP entity id").fill(idp.entityId);
    await o.getByLabel("IdP single sign-on URL (HTTP-Redirect)").fill(idp.ssoUrl);
    await o.getByLabel("IdP signing certificate (PEM)").fill(idp.certificate);
    await o.getByRole("button", { name: "Check and save SAML" }).click();
    await o.getByText("SAML single sign-on is set up.").waitFor();
    const summary = o.getByTestId("sso-summary");
    assert.match((await summary.textContent()) ?? "", new RegExp(`IdP entity id\\s*${idp.entityId}`));
    assert.match((await summary.textContent()) ?? "", new RegExp(`IdP sign-in URL\\s*${idp.ssoUrl}`));
    // The stored certificate is shown as an IdP's console shows it, to compare and to see it expiring.
    const certificate = (await o.getByTestId("saml-certificate").textContent()) ?? "";
    assert.match(certificate, /idp\.acme\.test,\s+expires/);
    assert.ok(certificate.includes(new crypto.X509Certificate(idp.certificate).fingerprint256), certificate);
    const metadataHref = await o.getByRole("link", { name: "Download metadata XML" }).getAttribute("href");
    assert.equal(metadataHref, spEntityId);
    const metadata = await (await o.context().request.get(metadataHref!)).text();
    assert.match(metadata, new RegExp(`entityID="${spEntityId}"`));
    assert.match(metadata, new RegExp(`Location="${acsUrl}"`));
    // Saved: the settings are listed, and both forms are folded away until someone asks for one.
    assert.equal(await o.locator("details.sso-choice[open]").count(), 0);
    await assertFitsPhone(o);
    await b.shootEveryWay(o, "sso-saml-settings");
    // The organization's settings page tells the state beside the other policies.
    await o.goto("/orgs/acme/settings");
    assert.match(await o.getByTestId("sso-state").innerText(), /SAML 2\.0\s+Members can sign in with Acme’s identity provider; not required/);
    await assertFitsPhone(o);
    await b.shootEveryWay(o, "org-settings-sso-state");
    await o.goto("/orgs/acme/settings/sso");

    const page = await b.newPage();
    // An address no organization uses SSO for gets the answer beside the field, and nothing more.
    await page.goto("/login/sso");
    await page.getByLabel("Work email or organization slug").fill("grace@elsewhere.test");
    await page.getByRole("button", { name: "Continue with SSO" }).click();
    await page.getByText("No organization uses single sign-on for that address or slug.").waitFor();
    await assertFitsPhone(page);
    await b.shootEveryWay(page, "sso-login-unknown");
    const acsPosts: (string | null)[] = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && req.url() === acsUrl) acsPosts.push(new URLSearchParams(req.postData() ?? "").get("continued"));
    });
    await startAtLogin(page, "grace@acme.test");
    assert.deepEqual(idp.requests.map((r) => [r.issuer, r.acsUrl]), [[spEntityId, acsUrl]]);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Your account was created through Acme single sign-on").waitFor();
    // The IdP's page posted the signed response to our ACS cross-site, so without our SameSite=Lax
    // cookie; our page posted it once more from our own origin, with it.
    assert.deepEqual(acsPosts, [null, "1"]);
    await b.shootEveryWay(page, "sso-saml-welcome");
    const grace = await db("users").where({ email: "grace@acme.test" }).first();
    assert.equal(grace.display_name, "Grace Hopper");
    assert.equal(await roleOf(org, grace), "member");
    assert.deepEqual(await db("identities").where({ user_id: grace.id }).pluck("provider_user_id"), ["saml-user-1"]);
    // The "about you" step, then straight to the organization just joined.
    assert.equal(new URL(page.url()).pathname, "/welcome");
    assert.equal(await page.getByLabel("Display name").inputValue(), "Grace Hopper");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/orgs/acme");
  });

  it("refuses the same signed response posted again, in the browser that used it and in another, with a page that says so", async () => {
    const { org } = await acmeWithSaml();
    const page = await b.newPage();
    await startAtLogin(page, "grace@acme.test");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Your account was created through Acme single sign-on").waitFor();
    assert.equal(idp.issued.length, 1);

    // Posted again in the same browser (the back button, or a second tab): no sign-in waits for it.
    await resend(page, 0);
    await refusal(page, "This sign-in was not started here", /does not answer a sign-in started in this browser/);
    await assertFitsPhone(page);
    await b.shootEveryWay(page, "sso-saml-not-started");

    // Someone who kept a copy posts it in their own browser, even after starting a sign-in of their own.
    const other = await b.newPage();
    await resend(other, 0);
    await refusal(other, "This sign-in was not started here", /does not answer a sign-in started in this browser/);
    assert.ok(await signedOut(other));
    await startAtLogin(other, "grace@acme.test");
    await resend(other, 0);
    await refusal(other, "Single sign-on did not complete", /was refused, so nobody was signed in\. It does not answer the sign-in started in this browser\./);
    await b.shootEveryWay(other, "sso-saml-replay");
    assert.ok(await signedOut(other));
    assert.equal((await db("users").where({ email: "grace@acme.test" })).length, 1);
    assert.equal((await db("sso_assertions").where({ organization_id: org.id })).length, 1);
  });

  it("refuses a response whose NameID or email was changed after signing, signing nobody in", async () => {
    const { org } = await acmeWithSaml();
    const bob = await buildUser({ username: "bob", email: "bob@acme.test" });
    await addMember(org, bob, "member");
    await db("identities").insert({ user_id: bob.id, provider: `sso:${org.id}`, provider_user_id: "bob-at-idp", provider_username: "bob", last_used_at: null });

    for (const [what, tamper] of [["NameID", { tamperNameId: "bob-at-idp" }], ["email", { tamperEmail: "eve@acme.test" }]] as const) {
      idp.answerWith = tamper;
      const page = await b.newPage();
      await startAtLogin(page, "grace@acme.test");
      await page.getByRole("button", { name: "Sign in" }).click();
      await refusal(page, "Single sign-on did not complete", /was refused, so nobody was signed in\. It was not signed by the organization’s identity provider, or it was changed after signing\./);
      if (what === "NameID") {
        await assertFitsPhone(page);
        await b.shootEveryWay(page, "sso-saml-tampered");
      }
      assert.ok(await signedOut(page), what);
    }
    assert.deepEqual(await db("users").whereIn("email", ["grace@acme.test", "eve@acme.test"]).pluck("email"), []);
    assert.deepEqual(await db("sessions").where({ user_id: bob.id }).pluck("sid"), []);
  });

  it("once the owner requires SSO, a member signed in by password is sent through the IdP to reach the organization; the owner keeps their way in", async () => {
    const { org, ownerPage } = await acmeWithSaml();
    const bob = await buildUser({ username: "bob", email: "bob@acme.test" });
    await addMember(org, bob, "member");
    // Bob's account is linked to his IdP subject (as from /settings/identities).
    await db("identities").insert({ user_id: bob.id, provider: `sso:${org.id}`, provider_user_id: "bob-at-idp", provider_username: "bob", last_used_at: null });
    idp.person = { nameId: "bob-at-idp", email: "bob@acme.test", name: "Bob" };

    await ownerPage.getByLabel(/Members reach Acme only after signing in with its identity provider/).check();
    await ownerPage.getByRole("button", { name: "Save SSO requirement" }).click();
    await ownerPage.getByText(/Members of Acme now reach it only after signing in with its single sign-on/).waitFor();
    assert.equal((await db("organization_sso_providers").where({ organization_id: org.id }).first()).require_sso, true);

    const page = await b.signedInPage(bob);
    await page.goto("/orgs/acme/members");
    await page.getByRole("heading", { name: "Sign in with Acme’s SSO to continue" }).waitFor();
    await assertFitsPhone(page);
    await b.shootEveryWay(page, "sso-required");
    await page.getByRole("button", { name: "Sign in with Acme SSO" }).click();
    await page.getByRole("heading", { name: "Test identity provider" }).waitFor();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/orgs/acme/members");
    await page.getByRole("heading", { name: "Members" }).waitFor();
    await page.goto("/orgs/acme");
    await page.getByRole("heading", { name: "Overview" }).waitFor();

    // Break glass: the owner, signed in with a password, is never held at the SSO page.
    for (const path of ["/orgs/acme", "/orgs/acme/members", "/orgs/acme/settings/sso"]) {
      const res = await ownerPage.goto(path);
      assert.equal(res?.status(), 200, path);
    }
    await ownerPage.getByRole("heading", { name: "Single sign-on and domains" }).waitFor();
  });
});
