import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { db } from "../../src/db/knex";
import { listPasskeysForUser } from "../../src/db/passkeys";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";

/** Makes the page believe the browser cannot offer passkeys in autofill (as some browsers cannot). */
const WITHOUT_AUTOFILL = "if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);";

describe("passkeys in a real browser, with Chromium's virtual authenticator", () => {
  // WebAuthn refuses IP addresses as relying parties: the app is named localhost.
  const t = useTestApp({}, { baseHost: "localhost" });
  const tb = useBrowser(t);

  const shoot = (page: Page, name: string) => tb.shoot(page, name);

  /** A platform authenticator that holds discoverable credentials and verifies its user (like Touch ID). */
  async function addAuthenticator(cdp: CDPSession, verified = true): Promise<string> {
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: verified, automaticPresenceSimulation: true },
    });
    return authenticatorId;
  }

  async function signInWithPassword(page: Page, user: { username: string; password: string }): Promise<void> {
    await page.goto("/login");
    await page.getByLabel("Username or email").fill(user.username);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${t.baseUrl}/`);
  }

  async function signOut(page: Page): Promise<void> {
    await page.locator(".user-menu summary").click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
  }

  async function addPasskey(page: Page, name: string): Promise<void> {
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByRole("button", { name: "Add passkey" }).click();
    await page.locator(".flash--success").filter({ hasText: name }).waitFor();
  }

  async function newContext(colorScheme: "light" | "dark" = "light", width = 1280): Promise<{ context: BrowserContext; page: Page; cdp: CDPSession }> {
    const page = await tb.newPage({ viewport: { width, height: 800 }, colorScheme });
    const context = page.context();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    return { context, page, cdp };
  }

  it("registers two passkeys, signs in with one without a username, renames, removes, and keeps the last way in", async () => {
    const user = await buildUser({ username: "ada", displayName: "Ada Lovelace" });
    const { context, page, cdp } = await newContext();
    const laptop = await addAuthenticator(cdp);
    await signInWithPassword(page, user);

    await page.goto("/settings/passkeys");
    await page.getByText("You have no passkeys yet.").waitFor();
    await shoot(page, "passkeys-empty-light");
    await addPasskey(page, "Work laptop");

    // A second authenticator (a phone): the laptop's key is put away so the browser uses the new one.
    await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: laptop });
    await addAuthenticator(cdp);
    await addPasskey(page, "Phone");
    assert.deepEqual((await listPasskeysForUser(user.id)).map((p) => p.name), ["Work laptop", "Phone"]);
    await shoot(page, "passkeys-two-light");

    // Signed out, the sign-in page asks for a passkey through the browser's autofill (conditional
    // mediation) once the username field is touched; the virtual authenticator answers at once, as a
    // person picking the passkey from the list would.
    await signOut(page);
    await page.getByLabel("Username or email").click();
    await page.waitForURL(`${t.baseUrl}/`);
    const events = () => db("security_events").where({ user_id: user.id, action: "sign_in" }).orderBy("id").pluck("details");
    assert.deepEqual((await events()).map((d: { method: string }) => d.method), ["password", "passkey"]);

    // A browser without that autofill: the "Sign in with a passkey" button, no username typed.
    await context.addInitScript(WITHOUT_AUTOFILL);
    await signOut(page);
    assert.equal(await page.getByLabel("Username or email").getAttribute("autocomplete"), "username webauthn");
    await shoot(page, "login-passkey-light");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL(`${t.baseUrl}/`);
    assert.deepEqual((await events()).map((d: { method: string }) => d.method), ["password", "passkey", "passkey"]);

    await page.goto("/settings/passkeys");
    await page.getByRole("link", { name: "Rename passkey Phone" }).click();
    await page.getByLabel("New name").fill("Pixel phone");
    await page.getByRole("button", { name: "Rename passkey" }).click();
    await page.locator(".flash--success").filter({ hasText: "Pixel phone" }).waitFor();
    const phoneRow = page.locator(".passkey-list li").filter({ hasText: "Pixel phone" });
    assert.match(await phoneRow.innerText(), /last used/);
    assert.match(await page.locator(".passkey-list li").filter({ hasText: "Work laptop" }).innerText(), /never used/);

    await page.getByRole("link", { name: "Remove passkey Work laptop" }).click();
    await page.getByRole("button", { name: "Remove passkey" }).click();
    await page.locator(".flash--success").filter({ hasText: "was removed" }).waitFor();
    assert.deepEqual((await listPasskeysForUser(user.id)).map((p) => p.name), ["Pixel phone"]);

    // Without a password the one passkey left is the only way in, and the page says so.
    await db("users").where({ id: user.id }).update({ password_hash: null });
    await page.reload();
    await page.locator(".passkey-list li").filter({ hasText: "Only way to sign in" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Remove passkey Pixel phone" }).count(), 0);

    // A passkey used without user verification is refused on its own: test/routes/web/settings/passkeys.test.ts
    // (Chromium's virtual authenticators without user verification neither create nor offer discoverable
    // credentials, so that case is tested with the software authenticator there).

    for (const [scheme, width] of [["dark", 1280], ["dark", 390], ["light", 390]] as const) {
      const other = await newContext(scheme, width);
      await addAuthenticator(other.cdp);
      const sessionsBefore = await db("sessions").count("* as n").first();
      await other.page.goto("/login");
      await other.page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
      // Loading the page asks for nothing yet: a page view stores no session.
      assert.deepEqual(await db("sessions").count("* as n").first(), sessionsBefore);
      await shoot(other.page, `login-passkey-${scheme}-${width}`);
      await other.context.close();
    }
    await context.close();
  });

  it("shows the settings pages in dark mode and on a phone", async () => {
    const user = await buildUser({ username: "grace" });
    for (const [scheme, width] of [["dark", 1280], ["light", 390], ["dark", 390]] as const) {
      const { context, page, cdp } = await newContext(scheme, width);
      await addAuthenticator(cdp);
      await signInWithPassword(page, user);
      await page.goto("/settings/passkeys");
      await shoot(page, `passkeys-before-${scheme}-${width}`);
      await addPasskey(page, `Key ${scheme} ${width}`);
      await shoot(page, `passkeys-after-${scheme}-${width}`);
      await context.close();
    }
  });
});
