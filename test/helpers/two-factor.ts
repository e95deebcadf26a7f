import assert from "node:assert/strict";
import { generateSync } from "otplib";
import { csrfTokenFor, type TestClient } from "./client";

/**
 * A TOTP code computed independently of the app (otplib's own defaults: SHA-1, 6 digits, 30 s), for
 * `stepOffset` steps from now.
 */
export function totpCode(secret: string, stepOffset = 0): string {
  return generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + stepOffset * 30 });
}

/** The secret shown on the set-up page, without the spaces it is grouped by. */
export function secretOnPage(html: string): string {
  const match = html.match(/data-testid="totp-secret">([^<]+)</);
  assert.ok(match, "the set-up page shows the secret");
  return match[1]!.replace(/\s+/g, "");
}

/** The recovery codes listed on the page that shows them once. */
export function recoveryCodesOnPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]!);
}

/**
 * Turns 2FA on through the settings pages for the signed-in `client` (fresh from sign-in, so no
 * re-authentication is asked for) and returns the secret and recovery codes as the pages showed them.
 */
export async function enableTwoFactor(client: TestClient): Promise<{ secret: string; recoveryCodes: string[] }> {
  const page = await client.get("/settings/security");
  assert.equal(page.status, 200);
  const setup = await client.postRaw("/settings/security/totp/setup", { _csrf: csrfTokenFor(page.html, "/settings/security/totp/setup") });
  assert.equal(setup.status, 302, `set-up answered ${setup.status}`);
  const setupPage = await client.get("/settings/security");
  const secret = secretOnPage(setupPage.html);
  const enabled = await client.postRaw("/settings/security/totp/enable", { _csrf: csrfTokenFor(setupPage.html, "/settings/security/totp/enable"), code: totpCode(secret) });
  assert.equal(enabled.status, 302, `enable answered ${enabled.status}`);
  assert.equal(enabled.location, "/settings/security/recovery-codes");
  const codesPage = await client.get("/settings/security/recovery-codes");
  const recoveryCodes = recoveryCodesOnPage(codesPage.html);
  assert.equal(recoveryCodes.length, 10);
  return { secret, recoveryCodes };
}

/** Posts the password form and returns the answer (a 2FA account is sent to /login/two-factor). */
export async function submitPassword(client: TestClient, user: { username: string; password: string }, next?: string) {
  return client.submit(next ? `/login?next=${encodeURIComponent(next)}` : "/login", { login: user.username, password: user.password, ...(next ? { next } : {}) }, "/login");
}

/** Posts a code to the second step (the page must be showing for this client). */
export async function submitCode(client: TestClient, code: string) {
  return client.submit("/login/two-factor", { code });
}

/** Makes the user's sessions' last proof of identity `ageMs` old, as if that much time had passed. */
export async function ageRecentAuth(userId: number, ageMs: number): Promise<void> {
  const { db } = await import("../../src/db/knex");
  await db("sessions").where({ user_id: userId }).whereRaw("data->'recentAuth' IS NOT NULL").update({
    data: db.raw("jsonb_set(data, '{recentAuth,at}', to_jsonb(?::bigint))", [Date.now() - ageMs]),
  });
}
