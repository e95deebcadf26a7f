import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../helpers/app";
import { useBrowser } from "../helpers/browser";
import { buildUser, loginAs } from "../helpers/factories";
import { linkIn } from "../helpers/mailbox";

describe("profile and account settings in a real browser", () => {
  const t = useTestApp();
  const b = useBrowser(t);

  /** grace-h with a saved public profile (saved through the plain HTTP form). */
  async function graceWithPublicProfile() {
    const user = await buildUser({ username: "grace-h", email: "grace@example.test" });
    const client = await loginAs(t.baseUrl, user);
    const res = await client.submit("/settings/profile", {
      display_name: "Grace Hopper",
      bio: "Compilers, COBOL and <nanoseconds>.\nRear admiral.",
      link_1: "https://grace.example.org",
      link_2: "https://code.example.org/grace",
      profile_public: "on",
    });
    assert.equal(res.status, 302, `saving the profile answered ${res.status}`);
    return user;
  }

  it("edits the profile and explains a bad link beside its field, keeping what was typed", async () => {
    const user = await buildUser({ username: "grace-h", email: "grace@example.test" });
    const page = await b.signedInPage(user);
    await page.goto("/settings/profile");
    await page.getByLabel("Display name").fill("Grace Hopper");
    await page.getByLabel("Bio").fill("Compilers, COBOL and <nanoseconds>.\nRear admiral.");
    await page.getByLabel("Link 1").fill("https://grace.example.org");
    await page.getByLabel("Link 2").fill("javascript:alert(1)");
    await page.getByLabel("Make my profile public").check();
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.locator("#field-link_2-error").waitFor();
    assert.match(await page.locator("#field-link_2-error").innerText(), /Enter a web address, like example\.com/);
    assert.equal(await page.getByLabel("Display name").inputValue(), "Grace Hopper");
    await b.shoot(page, "profile-account-profile-errors-light");
    await page.getByLabel("Link 2").fill("https://code.example.org/grace");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Your profile has been saved.").waitFor();
    await b.shoot(page, "profile-account-profile-light");
  });

  it("shows the public profile with the bio as text, safe links and the initials", async () => {
    const user = await graceWithPublicProfile();
    const page = await b.signedInPage(user);
    await page.goto("/settings/profile");
    await page.getByRole("link", { name: "/u/grace-h" }).click();
    await page.getByRole("heading", { name: "Grace Hopper" }).waitFor();
    assert.match(await page.locator("main").innerText(), /Compilers, COBOL and <nanoseconds>\./);
    assert.equal(await page.getByRole("link", { name: "code.example.org/grace" }).getAttribute("rel"), "nofollow ugc noopener");
    assert.equal(await page.locator(".avatar__initials").first().innerText(), "GH");
    await b.shoot(page, "profile-account-public-profile-light");
  });

  it("changes the email address through both mails, and the new one signs in", async () => {
    const user = await buildUser({ username: "grace-h", email: "grace@example.test" });
    const page = await b.signedInPage(user);
    await page.goto("/settings/account");
    await page.getByLabel("New email address").fill("grace@navy.example.test");
    await page.getByRole("button", { name: "Send confirmation link" }).click();
    await page.getByText("Change pending:").waitFor();
    await b.shoot(page, "profile-account-account-pending-light");

    const notice = await t.mailbox.waitFor("grace@example.test", (m) => /change of your Gatehouse email/.test(m.subject));
    assert.match(notice.text, /grace@navy\.example\.test/);
    const confirm = await t.mailbox.waitFor("grace@navy.example.test", (m) => /Confirm your new email/.test(m.subject));
    await page.goto(linkIn(confirm, "/email/confirm/"));
    await page.getByRole("button", { name: "Confirm email address" }).click();
    await page.waitForURL("**/settings/account");
    await page.getByText("Your email address is now grace@navy.example.test.").waitFor();
    assert.match(await page.locator("main").innerText(), /Your email address is grace@navy\.example\.test/);
    await b.shoot(page, "profile-account-account-light");

    const elsewhere = await b.newPage();
    await b.signIn(elsewhere, "grace@navy.example.test", user.password);
  });

  it("shows the profile and account pages in the dark theme", async () => {
    const user = await graceWithPublicProfile();
    const dark = await b.signedInPage(user, { colorScheme: "dark" });
    for (const [path, name] of [["/settings/profile", "profile"], ["/u/grace-h", "public-profile"], ["/settings/account", "account"]] as const) {
      await dark.goto(path);
      await b.shoot(dark, `profile-account-${name}-dark`);
    }
    const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [red, green, blue] = background.match(/\d+/g)!.map(Number);
    assert.ok(red! + green! + blue! < 150, `dark background, got ${background}`);
  });
});
