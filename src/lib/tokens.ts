import crypto from "node:crypto";

/** 32 random bytes (256 bits) as base64url: the secret part of every emailed link. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/**
 * SHA-256 of a token. High-entropy random tokens need no slow hash: a fast hash keeps lookups cheap
 * (no argon2 on token checks) while a leaked table still yields nothing usable.
 */
export function hashToken(token: string): Buffer {
  return crypto.createHash("sha256").update(token, "utf8").digest();
}

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}
