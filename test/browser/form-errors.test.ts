import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";

describe("a refused form in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  it("moves focus to the one invalid field, which names its error and the password rules", async () => {
    const page = await b.newPage();
    await page.goto("/signup");
    await page.getByLabel("Username").fill("grace");
    await page.getByLabel("Email address").fill("grace@example.test");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator(".field__error").waitFor();
    const password = page.getByLabel("Password");
    await password.waitFor();
    assert.equal(await password.getAttribute("aria-invalid"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "password");
    const described = (await password.getAttribute("aria-describedby"))!.split(" ");
    assert.ok(described.includes("field-password-error"));
    const hint = await page.locator(`#${described[0]}`).innerText();
    assert.match(hint, /12 to 128 characters/);
    assert.match(hint, /passphrase/);
    assert.match(hint, /breached/);
    assert.equal(await page.locator("[data-error-summary]").count(), 0);
  });

  it("shows a summary of several errors at the top, focused, whose links lead to the fields", async () => {
    const page = await b.newPage();
    await page.goto("/signup");
    await page.getByLabel("Email address").fill("not an address");
    await page.getByRole("button", { name: "Create account" }).click();
    const summary = page.locator("[data-error-summary]");
    await summary.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")), true);
    const links = summary.getByRole("link");
    assert.equal(await links.count(), 3);
    assert.match(await links.nth(1).innerText(), /^Email address: /);
    await links.nth(1).click();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "email");
    await b.shoot(page, "form-errors-summary");
  });

  it("shows the summary without JavaScript too", async () => {
    const page = await b.newPage({ javaScriptEnabled: false });
    await page.goto("/signup");
    await page.getByRole("button", { name: "Create account" }).click();
    const summary = page.locator("[data-error-summary]");
    await summary.waitFor();
    assert.match(await summary.innerText(), /There are 3 problems/);
    assert.equal(await summary.getByRole("link").first().getAttribute("href"), "#field-username");
  });
});
