import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { useTestApp } from "../../helpers/app";
import { TestClient, csrfTokenFor, pageCsrfToken } from "../../helpers/client";
import { loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { db } from "../../../src/db/knex";
import { findUserByUsername } from "../../../src/db/users";

const PASSWORD = "a long and quiet harbour";

describe("email confirmation", () => {
  const t = useTestApp();

  /** Signs `username` up through the form and returns the path of the link in the confirmation mail. */
  async function signUpForLink(username: string): Promise<string> {
    const email = `${username}@example.test`;
    const res = await new TestClient(t.baseUrl).submit("/signup", { username, email, password: PASSWORD });
    assert.equal(res.status, 200);
    const mail = await t.mailbox.waitFor(email, (m) => /Confirm your email/.test(m.subject));
    return new URL(linkIn(mail, "/email/confirm/")).pathname;
  }

  /** POSTs a link with a CSRF token from the sign-in page: a dead link's own page has no form to take one from. */
  async function postLink(link: string, client = new TestClient(t.baseUrl)) {
    const login = await client.get("/login");
    return client.postRaw(link, { _csrf: pageCsrfToken(login.html) });
  }

  /** Asserts that GET on a dead link says so at once, with no button to press. */
  async function assertSaysDead(link: string) {
    const page = await new TestClient(t.baseUrl).get(link);
    assert.equal(page.status, 410);
    assert.match(page.html, /This link no longer works/);
    assert.doesNotMatch(page.html, /Confirm email address<\/button>/);
  }

  async function isConfirmed(username: string): Promise<boolean> {
    return !!(await findUserByUsername(username))!.email_confirmed_at;
  }

  it("shows a button on GET and confirms nothing until it is pressed", async () => {
    const link = await signUpForLink("ana");
    const client = new TestClient(t.baseUrl);
    const page = await client.get(link);
    assert.equal(page.status, 200);
    assert.match(page.html, /Confirm email address<\/button>/);
    assert.ok(csrfTokenFor(page.html, link));
    await client.get(link);
    assert.equal(await isConfirmed("ana"), false, "mail scanners that fetch the link confirm nothing");
  });

  it("confirms on POST and sends a signed-out visitor to sign in", async () => {
    const link = await signUpForLink("ana");
    const client = new TestClient(t.baseUrl);
    const res = await client.submit(link, {});
    assert.equal(res.status, 302);
    assert.equal(res.location, "/login");
    assert.equal(await isConfirmed("ana"), true);
    const login = await client.get("/login");
    assert.match(login.html, /Your email address is confirmed\./);
    await loginAs(t.baseUrl, { username: "ana", password: PASSWORD }, { client });
    const home = await client.get("/");
    assert.doesNotMatch(home.html, /Resend confirmation email/);
    assert.equal((await client.get("/settings/profile")).status, 200);
  });

  it("confirms for a signed-in, unconfirmed account and unlocks its pages at once", async () => {
    const link = await signUpForLink("ana");
    const client = await loginAs(t.baseUrl, { username: "ana", password: PASSWORD });
    assert.equal((await client.get("/settings/profile")).status, 403);
    const res = await client.submit(link, {});
    assert.equal(res.status, 302);
    assert.equal(res.location, "/welcome", "the about-you step follows the confirmation");
    assert.equal((await client.get("/settings/profile")).status, 200);
  });

  it("works once only", async () => {
    const link = await signUpForLink("ana");
    await new TestClient(t.baseUrl).submit(link, {});
    await assertSaysDead(link);
    const again = await postLink(link);
    assert.equal(again.status, 410);
    assert.match(again.html, /This link no longer works/);
  });

  it("refuses an expired link", async () => {
    const link = await signUpForLink("ana");
    const user = (await findUserByUsername("ana"))!;
    await db("email_codes").where({ user_id: user.id, purpose: "email_confirmation" }).update({ expires_at: db.raw("now() - interval '1 minute'") });
    await assertSaysDead(link);
    const res = await postLink(link);
    assert.equal(res.status, 410);
    assert.equal(await isConfirmed("ana"), false);
  });

  it("refuses a link sent to an address the account no longer has", async () => {
    const link = await signUpForLink("ana");
    const user = (await findUserByUsername("ana"))!;
    await db("users").where({ id: user.id }).update({ email: "ana.new@example.test" });
    await assertSaysDead(link);
    const res = await postLink(link);
    assert.equal(res.status, 410);
    assert.equal(await isConfirmed("ana"), false, "proving the old address says nothing about the new one");
  });

  it("refuses an unknown token without confirming anyone", async () => {
    await signUpForLink("ana");
    const res = await postLink("/email/confirm/not-a-real-token-at-all-aaaaaaaaaaaaaaaaaaaaa");
    assert.equal(res.status, 410);
    assert.equal(await isConfirmed("ana"), false);
  });

  it("only honours the newest link after a resend", async () => {
    const first = await signUpForLink("ana");
    const client = await loginAs(t.baseUrl, { username: "ana", password: PASSWORD });
    t.mailbox.clear();
    await client.submit("/", {}, "/email/resend");
    const mail = await t.mailbox.waitFor("ana@example.test");
    const second = new URL(linkIn(mail, "/email/confirm/")).pathname;
    assert.notEqual(second, first);
    assert.equal((await postLink(first)).status, 410);
    assert.equal(await isConfirmed("ana"), false);
    assert.equal((await new TestClient(t.baseUrl).submit(second, {})).status, 302);
    assert.equal(await isConfirmed("ana"), true);
  });

  it("refuses a confirmation POST without the CSRF token", async () => {
    const link = await signUpForLink("ana");
    const client = new TestClient(t.baseUrl);
    await client.get(link);
    const res = await client.postRaw(link, { _csrf: "forged" });
    assert.equal(res.status, 403);
    assert.equal(await isConfirmed("ana"), false);
  });
});
