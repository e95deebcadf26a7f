import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import argon2 from "argon2";
import { useTestApp } from "../../helpers/app";
import { ageRecentAuth } from "../../helpers/two-factor";
import { csrfTokenFor, TestClient, type Page } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { linkIn } from "../../helpers/mailbox";
import { apiRequest, buildAccessToken } from "../../helpers/tokens";
import { findUserByUsername } from "../../../src/db/users";

const GENERIC = /Incorrect username, email or password\./;

/**
 * Runs `fn` while watching argon2.verify (the library, which still does the work) and gives back
 * how many verifications ran against `hash` and how many ran in all.
 */
async function countVerifications(hash: string, fn: () => Promise<unknown>): Promise<{ against: number; total: number }> {
  const spy = mock.method(argon2, "verify");
  try {
    await fn();
    const calls = spy.mock.calls.map((c) => c.arguments[0]);
    return { against: calls.filter((h) => h === hash).length, total: calls.length };
  } finally {
    spy.mock.restore();
  }
}

/**
 * Sign-in attempts from fresh browsers, all posted at the same moment: every form is loaded first,
 * then every POST leaves together.
 */
async function parallelLogins(baseUrl: string, attempts: { login: string; password: string }[]): Promise<Page[]> {
  const clients = attempts.map(() => new TestClient(baseUrl));
  const forms = await Promise.all(clients.map((c) => c.get("/login")));
  return Promise.all(
    clients.map((c, i) => c.postRaw("/login", { _csrf: csrfTokenFor(forms[i]!.html, "/login"), ...attempts[i]! })),
  );
}

function login(baseUrl: string, fields: { login: string; password: string }): Promise<Page> {
  return new TestClient(baseUrl).submit("/login", fields);
}

function statuses(pages: Page[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const p of pages) out[p.status] = (out[p.status] ?? 0) + 1;
  return out;
}

/** The page without what differs between any two renders of it (CSRF tokens, nonces, the login typed). */
function comparable(html: string, typed: string): string {
  return html
    .replaceAll(typed, "TYPED")
    .replace(/name="_csrf" value="[^"]+"/g, "")
    .replace(/nonce="[^"]+"/g, "");
}

describe("per-account lockout, from the attacker's side", () => {
  // The per-IP limit is raised so that only the per-account budget is under test.
  const t = useTestApp({ RATE_LIMIT_LOGIN_PER_IP: "1000" });

  it("evaluates at most the limit of 25 parallel wrong passwords, refuses the rest, then refuses the right one", async () => {
    const erin = await buildUser({ username: "erin" });
    const limit = t.config.rateLimits.loginPerAccount;
    let pages: Page[] = [];
    const seen = await countVerifications(erin.password_hash!, async () => {
      pages = await parallelLogins(t.baseUrl, Array.from({ length: 25 }, (_, i) => ({ login: "erin", password: `wrong guess ${i}` })));
    });
    assert.equal(seen.against, limit, "argon2 ran against erin's hash for exactly the limit of guesses");
    assert.deepEqual(statuses(pages), { 422: limit, 429: 25 - limit });
    const right = await login(t.baseUrl, { login: "erin", password: erin.password });
    assert.equal(right.status, 429);
    assert.match(right.html, /Too many attempts/);
  });

  it("holds one lock for every spelling of the account: erİn, ERIN, its address in any case", async () => {
    const erin = await buildUser({ username: "erin", email: "erin@example.test" });
    const limit = t.config.rateLimits.loginPerAccount;
    const spellings = ["erin", "ERIN", "erİn", "Erin@Example.test", "ERIN@EXAMPLE.TEST"];
    const attempts = Array.from({ length: 25 }, (_, i) => ({ login: spellings[i % spellings.length]!, password: `wrong guess ${i}` }));
    let pages: Page[] = [];
    const seen = await countVerifications(erin.password_hash!, async () => {
      pages = await parallelLogins(t.baseUrl, attempts);
    });
    assert.ok(seen.against <= limit, `${seen.against} guesses were checked against erin's hash`);
    // No spelling was typed ten times, so none was told "too many": each answer was the plain
    // refusal, and each cost one argon2 verification, against erin's hash or the dummy.
    assert.deepEqual(statuses(pages), { 422: 25 });
    assert.equal(seen.total, 25);
    for (const spelling of [...spellings, "eRiN", "erin@EXAMPLE.test"]) {
      const res = await login(t.baseUrl, { login: spelling, password: erin.password });
      assert.notEqual(res.status, 302, `${spelling} with the right password must not sign in while the account is locked`);
      assert.ok(res.status === 422 || res.status === 429, `${spelling}: ${res.status}`);
    }
  });

  it("answers a locked account like an unknown login: same status, same page, same argon2 work", async () => {
    const erin = await buildUser({ username: "erin", email: "erin@example.test" });
    const limit = t.config.rateLimits.loginPerAccount;
    // Locked through the address; the public username has not been typed yet.
    for (let i = 0; i < limit; i++) await login(t.baseUrl, { login: "erin@example.test", password: `wrong guess ${i}` });

    for (const password of ["another wrong guess", erin.password]) {
      let known!: Page;
      let unknown!: Page;
      const knownWork = await countVerifications(erin.password_hash!, async () => {
        known = await login(t.baseUrl, { login: "erin", password });
      });
      const unknownWork = await countVerifications(erin.password_hash!, async () => {
        unknown = await login(t.baseUrl, { login: "nobody-here", password });
      });
      assert.equal(known.status, 422);
      assert.equal(unknown.status, 422);
      assert.match(known.html, GENERIC);
      assert.equal(comparable(known.html, "erin"), comparable(unknown.html, "nobody-here"));
      assert.deepEqual(knownWork, { against: 0, total: 1 }, "the locked account costs one verification, not against its hash");
      assert.deepEqual(unknownWork, { against: 0, total: 1 });
    }
    // Both typed texts have now used two of their ten: both are refused from the same attempt on.
    const knownRest: number[] = [];
    const unknownRest: number[] = [];
    for (let i = 2; i <= limit; i++) {
      knownRest.push((await login(t.baseUrl, { login: "erin", password: `guess ${i}` })).status);
      unknownRest.push((await login(t.baseUrl, { login: "nobody-here", password: `guess ${i}` })).status);
    }
    assert.deepEqual(knownRest, unknownRest);
    assert.equal(knownRest.at(-1), 429);
  });

  it("folds erİn the way the database does: the lock is on the account, not on the text", async () => {
    const erin = await buildUser({ username: "erin" });
    const limit = t.config.rateLimits.loginPerAccount;
    for (let i = 0; i < limit; i++) await login(t.baseUrl, { login: "erin", password: `wrong guess ${i}` });
    const matched = await findUserByUsername("erİn");
    const res = await login(t.baseUrl, { login: "erİn", password: erin.password });
    assert.notEqual(res.status, 302, `erİn ${matched ? "reaches erin's account" : "matches no account"} and must not sign in`);
  });

  it("gives the reserved guesses back when the password is right", async () => {
    const user = await buildUser();
    const limit = t.config.rateLimits.loginPerAccount;
    for (let i = 0; i < limit - 1; i++) await login(t.baseUrl, { login: user.username, password: `wrong guess ${i}` });
    assert.equal((await login(t.baseUrl, { login: user.username, password: user.password })).status, 302);
    const seen = await countVerifications(user.password_hash!, () =>
      parallelLogins(t.baseUrl, Array.from({ length: limit }, (_, i) => ({ login: user.email, password: `later guess ${i}` }))),
    );
    assert.equal(seen.against, limit, "a fresh budget after the right password");
  });

  it("spends one budget on re-authentication too, web and API, also in parallel", async () => {
    const user = await buildUser();
    const limit = t.config.rateLimits.loginPerAccount;
    const client = await loginAs(t.baseUrl, user);
    const { token } = await buildAccessToken(t.ctx, user);
    await ageRecentAuth(user.id, 11 * 60_000);
    const form = await client.get("/settings/reauthenticate?returnTo=%2Fsettings%2Fpassword");
    const csrf = csrfTokenFor(form.html, "/settings/reauthenticate");
    let pages: Page[] = [];
    const seen = await countVerifications(user.password_hash!, async () => {
      pages = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          client.postRaw("/settings/reauthenticate", { _csrf: csrf, method: "password", password: `guess ${i}`, returnTo: "/settings/password" }),
        ),
      );
    });
    assert.equal(seen.against, limit);
    assert.deepEqual(statuses(pages), { 422: limit, 429: 25 - limit });

    const right = await client.postRaw("/settings/reauthenticate", { _csrf: csrf, method: "password", password: user.password, returnTo: "/settings/password" });
    assert.equal(right.status, 429, "the right password is refused too");
    const api = await apiRequest(t.baseUrl, token, "PATCH", "/api/v1/user", { email: "new@example.test", current_password: user.password });
    assert.equal(api.status, 429, "and the API's");
    const signIn = await login(t.baseUrl, { login: user.username, password: user.password });
    assert.equal(signIn.status, 422, "the sign-in form refuses the right password without saying why");
  });

  it("locks re-authentication after wrong passwords on the sign-in form", async () => {
    const user = await buildUser();
    const limit = t.config.rateLimits.loginPerAccount;
    const client = await loginAs(t.baseUrl, user);
    await parallelLogins(t.baseUrl, Array.from({ length: limit }, (_, i) => ({ login: user.email, password: `guess ${i}` })));
    await ageRecentAuth(user.id, 11 * 60_000);
    const res = await client.submit("/settings/reauthenticate?returnTo=%2Fsettings%2Fpassword", { method: "password", password: user.password, returnTo: "/settings/password" }, "/settings/reauthenticate");
    assert.equal(res.status, 429);
  });

  it("lets the owner back in through a password reset: guesses at the old password are moot", async () => {
    const user = await buildUser();
    const limit = t.config.rateLimits.loginPerAccount;
    await parallelLogins(t.baseUrl, Array.from({ length: limit }, (_, i) => ({ login: user.username, password: `guess ${i}` })));
    assert.equal((await login(t.baseUrl, { login: user.email, password: user.password })).status, 422);
    await new TestClient(t.baseUrl).submit("/password/forgot", { email: user.email });
    const mail = await t.mailbox.waitFor(user.email, (m) => /Reset your Gatehouse password/.test(m.subject));
    const link = new URL(linkIn(mail, "/password/reset/")).pathname;
    const newPassword = "a brand new long passphrase";
    assert.equal((await new TestClient(t.baseUrl).submit(link, { password: newPassword, password_confirmation: newPassword })).status, 302);
    assert.equal((await login(t.baseUrl, { login: user.username, password: newPassword })).status, 302);
  });
});
