import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import argon2 from "argon2";
import { useTestApp } from "../../helpers/app";
import { TestClient, fieldError, inputValue, pageCsrfToken } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { db } from "../../../src/db/knex";
import { findUserByUsername } from "../../../src/db/users";

const PASSWORD = "a long and quiet harbour";

/** Posts the signup form from a fresh browser. */
function signUp(baseUrl: string, fields: Record<string, string>, client = new TestClient(baseUrl)) {
  return client.submit("/signup", fields);
}

/** Counts argon2.hash calls (the library, not our code) made while `fn` runs. */
async function countHashes(fn: () => Promise<unknown>): Promise<number> {
  const spy = mock.method(argon2, "hash");
  try {
    await fn();
    return spy.mock.callCount();
  } finally {
    spy.mock.restore();
  }
}

describe("sign up", () => {
  const t = useTestApp();

  it("creates an unconfirmed account, answers 'check your email' and mails a confirmation link", async () => {
    const res = await signUp(t.baseUrl, { username: "Ana-Lima", email: "  Ana@Example.test  ", password: PASSWORD });
    assert.equal(res.status, 200);
    assert.match(res.html, /Check your email/);
    const user = await findUserByUsername("ana-lima");
    assert.ok(user);
    assert.equal(user.username, "Ana-Lima");
    assert.equal(user.email, "Ana@Example.test", "the address is stored trimmed");
    assert.equal(user.email_confirmed_at, null);
    assert.match(user.password_hash!, /^\$argon2id\$/);
    const mail = await t.mailbox.waitFor("ana@example.test");
    assert.match(linkIn(mail, "/email/confirm/"), /\/email\/confirm\/[A-Za-z0-9_-]{43}$/);
  });

  it("shows errors beside the fields and keeps what was typed, never the password", async () => {
    const res = await signUp(t.baseUrl, { username: "ana lima!", email: "not-an-address", password: "Zq9shortpw" });
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, "username"), "Use letters, digits and single hyphens, not at the start or end.");
    assert.equal(fieldError(res.html, "email"), "Enter a valid email address, like ana@example.com.");
    assert.equal(fieldError(res.html, "password"), "Use at least 12 characters.");
    assert.equal(inputValue(res.html, "username"), "ana lima!");
    assert.equal(inputValue(res.html, "email"), "not-an-address");
    assert.equal(inputValue(res.html, "password"), "");
    assert.doesNotMatch(res.html, /Zq9shortpw/);
    assert.equal((await db("users").count({ n: "*" }))[0]!.n, 0);
  });

  it("asks for each missing field", async () => {
    const res = await signUp(t.baseUrl, { username: "", email: "", password: "" });
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, "username"), "Choose a name.");
    assert.equal(fieldError(res.html, "email"), "Enter your email address.");
    assert.ok(fieldError(res.html, "password"));
  });

  it("accepts usernames of letters, digits and single hyphens up to 39 characters", async () => {
    for (const username of ["a", "Ana-Lima-2", "x".repeat(39)]) {
      const res = await signUp(t.baseUrl, { username, email: `${username}@example.test`, password: PASSWORD });
      assert.equal(res.status, 200, username);
      assert.ok(await findUserByUsername(username), username);
    }
  });

  it("refuses malformed and over-long usernames", async () => {
    const cases: [string, string][] = [
      ["-ana", "Use letters, digits and single hyphens, not at the start or end."],
      ["ana-", "Use letters, digits and single hyphens, not at the start or end."],
      ["an--a", "Use letters, digits and single hyphens, not at the start or end."],
      ["ana_lima", "Use letters, digits and single hyphens, not at the start or end."],
      ["ana.lima", "Use letters, digits and single hyphens, not at the start or end."],
      ["ánä", "Use letters, digits and single hyphens, not at the start or end."],
      ["x".repeat(40), "Use at most 39 characters."],
    ];
    for (const [username, message] of cases) {
      const res = await signUp(t.baseUrl, { username, email: "someone@example.test", password: PASSWORD });
      assert.equal(res.status, 422, username);
      assert.equal(fieldError(res.html, "username"), message, username);
    }
    assert.equal((await db("users").count({ n: "*" }))[0]!.n, 0);
  });

  it("refuses reserved words in any case", async () => {
    for (const username of ["admin", "Settings", "API", "login", "well-known"]) {
      const res = await signUp(t.baseUrl, { username, email: "someone@example.test", password: PASSWORD });
      assert.equal(res.status, 422, username);
      assert.equal(fieldError(res.html, "username"), "That name is reserved. Choose another.", username);
    }
  });

  it("refuses a username taken in another case", async () => {
    await buildUser({ username: "Ana-Lima" });
    const res = await signUp(t.baseUrl, { username: "ana-LIMA", email: "other@example.test", password: PASSWORD });
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, "username"), "That username is taken. Choose another.");
    assert.equal(inputValue(res.html, "username"), "ana-LIMA");
  });

  it("accepts passwords of 12 to 128 characters", async () => {
    const shortest = "kettle-lamp9";
    const longest = "river stone ".repeat(10) + "cloud li";
    assert.equal(shortest.length, 12);
    assert.equal(longest.length, 128);
    for (const [i, password] of [shortest, longest].entries()) {
      const res = await signUp(t.baseUrl, { username: `len${i}`, email: `len${i}@example.test`, password });
      assert.equal(res.status, 200);
      const client = new TestClient(t.baseUrl);
      const login = await client.submit("/login", { login: `len${i}`, password });
      assert.equal(login.status, 302, "the whole password is kept, never truncated");
    }
  });

  it("refuses an 11-character password", async () => {
    const res = await signUp(t.baseUrl, { username: "ana", email: "ana@example.test", password: "kettle-lamp" });
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, "password"), "Use at least 12 characters.");
  });

  it("refuses a 129-character password before hashing it", async () => {
    const password = "p".repeat(64) + "q".repeat(65);
    let res!: Awaited<ReturnType<typeof signUp>>;
    const hashes = await countHashes(async () => {
      res = await signUp(t.baseUrl, { username: "ana", email: "ana@example.test", password });
    });
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, "password"), "Use at most 128 characters.");
    assert.equal(hashes, 0);
    assert.equal(await findUserByUsername("ana"), undefined);
  });

  it("refuses common and breached passwords and says why", async () => {
    for (const password of ["password123456", "iloveyou1234", "Password!!!!!!", "aaaaaaaaaaaaaa"]) {
      const res = await signUp(t.baseUrl, { username: "ana", email: "ana@example.test", password });
      assert.equal(res.status, 422, password);
      assert.equal(fieldError(res.html, "password"), "This password is on a list of commonly used or breached passwords. Choose another.", password);
    }
    assert.equal(await findUserByUsername("ana"), undefined);
  });

  it("refuses a password that contains the username or the email's name", async () => {
    for (const [username, email, password] of [
      ["ana-lima", "ana@example.test", "my name is ANA-LIMA, really"],
      ["ana", "harbourmaster@example.test", "the harbourmaster sails at dawn"],
    ]) {
      const res = await signUp(t.baseUrl, { username: username!, email: email!, password: password! });
      assert.equal(res.status, 422, password);
      assert.equal(fieldError(res.html, "password"), "Your password must not contain your username or email address.");
      assert.equal(inputValue(res.html, "username"), username);
    }
  });

  it("answers a taken email exactly like a new signup and mails the owner a notice instead", async () => {
    const owner = await buildUser({ username: "owner", email: "owner@example.test" });
    const strangerPassword = "violet kites over the bay";
    let taken!: Awaited<ReturnType<typeof signUp>>;
    let fresh!: Awaited<ReturnType<typeof signUp>>;
    const takenHashes = await countHashes(async () => {
      taken = await signUp(t.baseUrl, { username: "stranger", email: " OWNER@Example.test ", password: strangerPassword });
    });
    const freshHashes = await countHashes(async () => {
      fresh = await signUp(t.baseUrl, { username: "newcomer", email: "newcomer@example.test", password: strangerPassword });
    });
    assert.equal(taken.status, fresh.status);
    assert.equal(taken.html.replace("OWNER@Example.test", "EMAIL"), fresh.html.replace("newcomer@example.test", "EMAIL"));
    assert.equal(takenHashes, freshHashes, "the password is hashed either way, so timing does not tell");

    const notice = await t.mailbox.waitFor(owner.email, (m) => /tried to sign up/.test(m.subject));
    assert.match(notice.text, /already belongs to your account/);
    assert.doesNotMatch(notice.text, /\/email\/confirm\//);
    await t.mailbox.waitFor("newcomer@example.test");
    assert.equal(t.mailbox.to(owner.email).length, 1, "the owner gets only the notice");

    const held = await findUserByUsername("stranger");
    assert.ok(held, "the username is held as a new address's account would hold it");
    assert.equal(held.password_hash, null, "the stranger's password is not stored");
    assert.notEqual(held.email.toLowerCase(), owner.email);
    const stored = await db("users").where({ id: owner.id }).first();
    assert.equal(stored.password_hash, owner.password_hash);
    for (const login of ["owner@example.test", "owner", "stranger"]) {
      const attempt = await new TestClient(t.baseUrl).submit("/login", { login, password: strangerPassword });
      assert.equal(attempt.status, 422, `the stranger's password must not work as ${login}`);
    }
    await loginAs(t.baseUrl, owner);
  });

  it("lets an unconfirmed account sign in, but shows only 'confirm your email' until confirmed", async () => {
    await signUp(t.baseUrl, { username: "ana", email: "ana@example.test", password: PASSWORD });
    const client = await loginAs(t.baseUrl, { username: "ana", password: PASSWORD });
    const home = await client.get("/");
    assert.equal(home.status, 200);
    assert.match(home.html, /Confirm your email/);
    assert.match(home.html, /action="\/email\/resend"/);
    for (const path of ["/settings/profile", "/settings"]) {
      const page = await client.get(path);
      assert.equal(page.status, 403, path);
      assert.match(page.html, /Confirm your email/, path);
      assert.match(page.html, /Resend confirmation email/, path);
    }
    const signup = await client.get("/signup");
    assert.equal(signup.location, "/");
    const out = await client.submit("/", {}, "/logout");
    assert.equal(out.status, 302);
    assert.equal(out.location, "/login");
    const after = await client.get("/settings/profile");
    assert.match(after.location!, /^\/login/);
  });

  it("resends the confirmation link to an unconfirmed account, a limited number of times", async () => {
    await signUp(t.baseUrl, { username: "ana", email: "ana@example.test", password: PASSWORD });
    await t.mailbox.waitFor("ana@example.test");
    const client = await loginAs(t.baseUrl, { username: "ana", password: PASSWORD });
    const limit = t.config.rateLimits.emailPerAccount;
    for (let i = 0; i < limit; i++) {
      const res = await client.submit("/", {}, "/email/resend");
      assert.equal(res.status, 302);
      assert.equal(res.location, "/");
    }
    const flashed = await client.get("/");
    assert.match(flashed.html, /We sent a new confirmation link to ana@example.test/);
    const limited = await client.submit("/", {}, "/email/resend");
    assert.equal(limited.status, 429);
    assert.match(limited.html, /Too many attempts/);
    assert.ok(limited.headers.get("retry-after"));
    const deadline = Date.now() + 5000;
    while (t.mailbox.to("ana@example.test").length < limit + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(t.mailbox.to("ana@example.test").length, limit + 1, "the first mail and one per allowed resend");
  });

  it("needs a signed-in account and the CSRF token to resend", async () => {
    const anonymous = new TestClient(t.baseUrl);
    await anonymous.get("/login");
    const forged = await anonymous.postRaw("/email/resend", { _csrf: "forged" });
    assert.equal(forged.status, 403);
    const page = await anonymous.get("/login");
    const token = pageCsrfToken(page.html);
    const signedOut = await anonymous.postRaw("/email/resend", { _csrf: token });
    assert.equal(signedOut.status, 401);
  });

  it("refuses a signup without the CSRF token", async () => {
    const client = new TestClient(t.baseUrl);
    await client.get("/signup");
    const res = await client.postRaw("/signup", { _csrf: "forged", username: "ana", email: "ana@example.test", password: PASSWORD });
    assert.equal(res.status, 403);
    assert.equal(await findUserByUsername("ana"), undefined);
  });

  it("limits signups per IP and answers 429 with a page", async () => {
    const limit = t.config.rateLimits.signupPerIp;
    for (let i = 0; i < limit; i++) {
      const res = await signUp(t.baseUrl, { username: "", email: "", password: "" });
      assert.equal(res.status, 422);
    }
    const res = await signUp(t.baseUrl, { username: "ana", email: "ana@example.test", password: PASSWORD });
    assert.equal(res.status, 429);
    assert.match(res.html, /Too many attempts/);
    assert.equal(await findUserByUsername("ana"), undefined);
  });
});
