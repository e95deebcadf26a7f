import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { db } from "../../../src/db/knex";
import { useTestApp } from "../../helpers/app";
import { csrfTokenFor, fieldError, TestClient } from "../../helpers/client";
import { buildUser, loginAs } from "../../helpers/factories";
import { enableTwoFactor, secretOnPage, totpCode } from "../../helpers/two-factor";

describe("two-factor settings", () => {
  const t = useTestApp();

  it("offers a fresh 160-bit secret as a QR code rendered here and as text, and needs a right code to turn on", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const before = await client.get("/settings/security");
    assert.match(before.html, /Set up an authenticator app/);
    assert.match(before.html, /href="\/settings\/security" aria-current="page">Security</);
    await client.postRaw("/settings/security/totp/setup", { _csrf: csrfTokenFor(before.html, "/settings/security/totp/setup") });
    const page = await client.get("/settings/security");
    const secret = secretOnPage(page.html);
    assert.match(secret, /^[A-Z2-7]{32}$/, "20 bytes in base32");
    // The QR code is an inline image: no URL anywhere on the page carries the secret.
    assert.match(page.html, /<img class="totp-setup__qr" src="data:image\/svg\+xml;base64,/);
    assert.doesNotMatch(page.html.replace(/data-testid="totp-secret">[^<]+</, ""), new RegExp(secret));
    const wrong = await client.postRaw("/settings/security/totp/enable", { _csrf: csrfTokenFor(page.html, "/settings/security/totp/enable"), code: "000000" === totpCode(secret) ? "111111" : "000000" });
    assert.equal(wrong.status, 422);
    assert.match(fieldError(wrong.html, "code") ?? "", /not right/);
    assert.equal((await db("totp_credentials").where({ user_id: user.id }).first()).enabled_at, null);

    // Starting again gives another secret.
    await client.postRaw("/settings/security/totp/setup", { _csrf: csrfTokenFor(page.html, "/settings/security/totp/setup") });
    assert.notEqual(secretOnPage((await client.get("/settings/security")).html), secret);
  });

  it("stores the secret encrypted and the recovery codes hashed, shows the codes once, and keeps both out of the export", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const { secret, recoveryCodes } = await enableTwoFactor(client);
    const row = await db("totp_credentials").where({ user_id: user.id }).first();
    assert.ok(row.enabled_at);
    assert.ok(!row.secret_encrypted.includes(secret));
    const hashes = await db("recovery_codes").where({ user_id: user.id }).select("code_hash");
    assert.equal(hashes.length, 10);
    for (const h of hashes) for (const code of recoveryCodes) assert.ok(!h.code_hash.toString("utf8").includes(code.replace(/-/g, "")));
    assert.equal(new Set(recoveryCodes).size, 10);

    // Shown once: the page after its redirect, and never again.
    const again = await client.get("/settings/security/recovery-codes");
    assert.equal(again.status, 302);
    const settings = await client.get("/settings/security");
    assert.match(settings.html, /data-testid="codes-left">10 left/);
    assert.doesNotMatch(settings.html, new RegExp(recoveryCodes[0]!));

    const exportPage = await client.get("/settings/account");
    const exported = await client.postRaw("/settings/account/export", { _csrf: csrfTokenFor(exportPage.html, "/settings/account/export") });
    assert.equal(exported.status, 200);
    assert.ok(!exported.html.includes(secret), "the export does not hold the secret");
    assert.ok(!exported.html.includes(row.secret_encrypted), "nor its sealed form");
    for (const code of recoveryCodes) assert.ok(!exported.html.includes(code));
  });

  it("signs out every other session when 2FA is turned on, and gives this one a new id", async () => {
    const user = await buildUser();
    const other = await loginAs(t.baseUrl, user);
    const client = await loginAs(t.baseUrl, user);
    const before = client.cookie("gatehouse.sid");
    await enableTwoFactor(client);
    assert.notEqual(client.cookie("gatehouse.sid"), before);
    assert.equal((await other.get("/settings/profile")).status, 302, "the other session is signed out");
    assert.equal((await client.get("/settings/profile")).status, 200, "this one stays signed in");
    const events = await db("security_events").where({ user_id: user.id, action: "two_factor.enabled" });
    assert.equal(events.length, 1);
  });

  it("turns off and regenerates codes only after a fresh second factor, not the password alone", async () => {
    const user = await buildUser();
    const client = await loginAs(t.baseUrl, user);
    const { secret, recoveryCodes } = await enableTwoFactor(client);
    // The sign-in before enabling proved the password only.
    const page = await client.get("/settings/security");
    const disable = await client.postRaw("/settings/security/disable", { _csrf: csrfTokenFor(page.html, "/settings/security/disable") });
    assert.equal(disable.status, 303);
    assert.match(disable.location!, /^\/settings\/reauthenticate\?returnTo=%2Fsettings%2Fsecurity&factor=second$/);
    const reauth = await client.get(disable.location!);
    assert.doesNotMatch(reauth.html, /name="password"/, "the password is not offered for this");
    assert.equal((await db("totp_credentials").where({ user_id: user.id }).first()).enabled_at !== null, true, "nothing changed");

    const confirmed = await client.postRaw("/settings/reauthenticate", {
      _csrf: csrfTokenFor(reauth.html, "/settings/reauthenticate"), method: "code", code: totpCode(secret, 1), returnTo: "/settings/security", factor: "second",
    });
    assert.equal(confirmed.status, 302);
    assert.equal(confirmed.location, "/settings/security");

    const regen = await client.postRaw("/settings/security/recovery-codes", { _csrf: csrfTokenFor((await client.get("/settings/security")).html, "/settings/security/recovery-codes") });
    assert.equal(regen.status, 302);
    const fresh = await client.get("/settings/security/recovery-codes");
    assert.match(fresh.html, /The old ones no longer work/);
    const hashesAfter = await db("recovery_codes").where({ user_id: user.id }).count<{ count: string }[]>("* as count");
    assert.equal(Number(hashesAfter[0]!.count), 10, "the old set is gone, not added to");
    assert.ok(recoveryCodes.length === 10);

    const off = await client.postRaw("/settings/security/disable", { _csrf: csrfTokenFor((await client.get("/settings/security")).html, "/settings/security/disable") });
    assert.equal(off.status, 302);
    assert.equal(await db("totp_credentials").where({ user_id: user.id }).first(), undefined);
    assert.equal((await db("recovery_codes").where({ user_id: user.id })).length, 0);
    // Signing in is one step again.
    const next = new TestClient(t.baseUrl);
    const res = await next.submit("/login", { login: user.username, password: user.password });
    assert.equal(res.location, "/");
  });
});
