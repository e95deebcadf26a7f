import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { DESKTOP, PHONE, useBrowser } from "../helpers/browser";
import { buildUser } from "../helpers/factories";
import { buildOrg } from "../helpers/orgs";
import { apiRequest, buildAccessToken } from "../helpers/tokens";

describe("access tokens and the CLI consent page in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  it("creates a token, copies it, and shows its secret only once", async () => {
    const user = await buildUser();
    const page = await b.signedInPage(user);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: t.baseUrl });
    await page.goto("/settings/tokens");
    await page.getByLabel("Description").fill("Laptop CLI");
    await page.getByLabel("Expiration").selectOption("30");
    await page.getByRole("button", { name: "Create token" }).click();

    const shown = page.getByTestId("new-token");
    const token = (await shown.innerText()).trim();
    assert.match(token, /^gth_[0-9A-Za-z]{49}$/);
    await page.getByRole("button", { name: "Copy token" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
    await b.shoot(page, "tokens-created-light");
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 200);

    await page.reload();
    assert.equal(await page.getByTestId("new-token").count(), 0, "the secret is gone after a reload");
    assert.ok(!(await page.content()).includes(token));
    const row = page.getByRole("row", { name: /Laptop CLI/ });
    assert.match(await row.innerText(), new RegExp(`gth_…${token.slice(-4)}`));
  });

  it("copies an organization token from the same one-time panel, and warns on both forms while no expiry is chosen", async () => {
    const user = await buildUser();
    await buildOrg(user, { slug: "acme", name: "Acme" });
    const page = await b.signedInPage(user);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: t.baseUrl });
    for (const path of ["/settings/tokens", "/orgs/acme/tokens"]) {
      await page.goto(path);
      const warning = page.getByText("A token without an expiry works until someone revokes it");
      assert.equal(await warning.isVisible(), false, path);
      await page.getByLabel("Expiration").selectOption("none");
      assert.equal(await warning.isVisible(), true, path);
      await page.getByLabel("Expiration").selectOption("30");
      assert.equal(await warning.isVisible(), false, path);
    }
    await page.getByLabel("Description").fill("Nightly backup");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").innerText()).trim();
    assert.match(token, /^gto_/);
    await page.getByRole("button", { name: "Copy token" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  });

  it("revokes a token after asking, and the API refuses it from then on", async () => {
    const user = await buildUser();
    const { token } = await buildAccessToken(t.ctx, user, { description: "Laptop CLI" });
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 200);
    const page = await b.signedInPage(user);
    await page.goto("/settings/tokens");
    await page.getByRole("row", { name: /Laptop CLI/ }).getByRole("link", { name: "Revoke Laptop CLI" }).click();
    await page.getByRole("heading", { name: "Revoke “Laptop CLI”?" }).waitFor();
    await b.shoot(page, "tokens-revoke-light");
    await page.getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("Token “Laptop CLI” revoked.").waitFor();
    assert.equal((await apiRequest(t.baseUrl, token, "GET", "/api/v1/user")).status, 401);
  });

  it("creates twenty tokens in a row and shows each one the moment the page loads", async () => {
    const user = await buildUser();
    const page = await b.signedInPage(user);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      await page.goto("/settings/tokens");
      await page.getByLabel("Description").fill(`Runner ${i}`);
      await page.getByRole("button", { name: "Create token" }).click();
      const token = (await page.getByTestId("new-token").innerText()).trim();
      assert.match(token, /^gth_[0-9A-Za-z]{49}$/, `token ${i}`);
      assert.ok(!seen.has(token), `token ${i} is new`);
      seen.add(token);
    }
  });

  // Only screenshots (no assertion of its own): skipped unless SCREENSHOTS=1, so the suite stays fast.
  it("looks right in light and dark, on desktop and phone (screenshots to look at)", { skip: process.env.SCREENSHOTS !== "1" && "set SCREENSHOTS=1 to take them" }, async () => {
    const user = await buildUser({ username: "grace-hopper" });
    await buildAccessToken(t.ctx, user, { description: "CI deploys (GitHub Actions)" });
    await buildAccessToken(t.ctx, user, { description: "Never expires", expiresInDays: null });
    const challenge = crypto.createHash("sha256").update(crypto.randomBytes(32).toString("base64url")).digest("base64url");
    const consent = `/cli/login?${new URLSearchParams({ client_id: "terraform-cli", redirect_uri: "http://localhost:10000/login", response_type: "code", code_challenge: challenge, code_challenge_method: "S256", state: "s" })}`;
    const page = await b.signedInPage(user);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize(DESKTOP);
      const shoot = (name: string) => b.shoot(page, `${name}-${colorScheme}`);
      await page.goto("/settings/tokens");
      await page.getByLabel("Description").fill(`Screenshot token (${colorScheme})`);
      await page.getByRole("button", { name: "Create token" }).click();
      await page.getByTestId("new-token").waitFor();
      await shoot("tokens-created");
      await page.setViewportSize(PHONE);
      await shoot("tokens-created-phone");
      await page.reload();
      await shoot("tokens-list-phone");
      await page.setViewportSize(DESKTOP);
      await shoot("tokens-list");
      await page.goto(consent);
      await page.getByRole("heading", { name: "Authorize Terraform CLI?" }).waitFor();
      await shoot("cli-login");
      await page.setViewportSize(PHONE);
      await shoot("cli-login-phone");
    }
  });
});
