import assert from "node:assert/strict";
import zlib from "node:zlib";
import { describe, it } from "node:test";
import { ACCESS_TOKEN_LENGTH, ACCESS_TOKEN_PREFIXES, displayAccessToken, generateAccessToken, parseAccessToken, type AccessTokenPrefix } from "../../src/auth/access-token-format";
import { hashToken } from "../../src/lib/tokens";

describe("access token format", () => {
  it("generates prefixed base62 tokens with last4 and the SHA-256 hash", () => {
    for (const prefix of Object.values(ACCESS_TOKEN_PREFIXES)) {
      const g = generateAccessToken(prefix);
      assert.equal(g.token.length, ACCESS_TOKEN_LENGTH);
      assert.match(g.token, new RegExp(`^${prefix}[0-9A-Za-z]{49}$`));
      assert.equal(g.prefix, prefix);
      assert.equal(g.last4, g.token.slice(-4));
      assert.deepEqual(g.hash, hashToken(g.token));
      const parsed = parseAccessToken(g.token);
      assert.ok(parsed.ok);
      assert.equal(parsed.prefix, prefix);
      assert.deepEqual(parsed.hash, g.hash);
    }
  });

  it("never repeats and carries 256 bits of randomness", () => {
    const seen = new Set(Array.from({ length: 500 }, () => generateAccessToken("gth_").token));
    assert.equal(seen.size, 500);
  });

  it("uses a CRC32 that matches zlib's", () => {
    const g = generateAccessToken("gth_");
    const crc = zlib.crc32(Buffer.from(g.token.slice(0, 47), "ascii"));
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let n = crc;
    let s = "";
    while (n > 0) { s = alphabet[n % 62] + s; n = Math.floor(n / 62); }
    assert.equal(g.token.slice(47), s.padStart(6, "0"));
  });

  it("rejects malformed strings: wrong type, length, prefix, alphabet and checksum", () => {
    const { token } = generateAccessToken("gth_");
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "a" ? "b" : "a") + s.slice(i + 1);
    const bad: unknown[] = [
      undefined, null, 42, "", "gth_", token.slice(0, -1), `${token}x`,
      `ghp_${token.slice(4)}`, `GTH_${token.slice(4)}`, `gto_${token.slice(4)}`,
      `${token.slice(0, 10)}-${token.slice(11)}`, flip(token, 10), flip(token, token.length - 1),
    ];
    for (const raw of bad) assert.deepEqual(parseAccessToken(raw), { ok: false, reason: "malformed" }, String(raw));
  });

  it("refuses to generate an unknown prefix and shows tokens as prefix…last4", () => {
    assert.throws(() => generateAccessToken("xyz_" as AccessTokenPrefix));
    assert.equal(displayAccessToken("gth_", "Ab12"), "gth_…Ab12");
  });
});
