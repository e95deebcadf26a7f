import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSync } from "otplib";
import { newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, totpStepOf } from "../../src/auth/totp";

describe("TOTP codes and recovery codes", () => {
  const secret = newTotpSecret();
  // A fixed moment in the middle of a step, so the test does not depend on the clock.
  const now = 1_800_000_015;
  const step = Math.floor(now / 30);
  const codeAt = (epoch: number) => generateSync({ secret, epoch });

  it("accepts the current step and one step of skew either way, never two", async () => {
    assert.equal(await totpStepOf(secret, codeAt(now), now), step);
    assert.equal(await totpStepOf(secret, codeAt(now - 30), now), step - 1);
    assert.equal(await totpStepOf(secret, codeAt(now + 30), now), step + 1);
    for (const far of [now - 60, now + 60, now - 90, now + 90]) {
      const code = codeAt(far);
      // A code two steps away is refused (unless it happens to equal a nearby step's code).
      const nearby = [now - 30, now, now + 30].map(codeAt);
      if (!nearby.includes(code)) assert.equal(await totpStepOf(secret, code, now), undefined, `epoch ${far}`);
    }
  });

  it("refuses what is not six digits", async () => {
    for (const bad of ["", "12345", "1234567", "abcdef", "12 34 5x"]) assert.equal(await totpStepOf(secret, bad, now), undefined);
    assert.equal(await totpStepOf(secret, codeAt(now).replace(/^(...)/, "$1 "), now), step, "spaces are ignored");
  });

  it("makes ten distinct 80-bit recovery codes and reads them back however they are typed", () => {
    const codes = newRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) {
      assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
      const plain = code.replace(/-/g, "");
      assert.equal(normalizeRecoveryCode(code.toUpperCase()), plain);
      assert.equal(normalizeRecoveryCode(` ${plain.slice(0, 6)} ${plain.slice(6)} `), plain);
    }
    assert.equal(normalizeRecoveryCode("short"), undefined);
    assert.equal(normalizeRecoveryCode("uuuu-uuuu-uuuu-uuuu"), undefined);
  });
});
