import crypto from "node:crypto";
import { hashToken } from "../lib/tokens";

/**
 * The format of every access token Gatehouse issues (personal, organization, team, SCIM):
 *
 *   <prefix><43 base62 chars: 32 random bytes><6 base62 chars: CRC32 of prefix + random part>
 *   e.g. gth_4kQ...Zr0000x1Yb  (53 characters in all)
 *
 * The readable prefix tells people, logs and secret scanners what a string is; the checksum lets a
 * scanner and our own API reject a mistyped or made-up token without touching the database (the
 * bearer middleware parses before it queries). The checksum is not a secret and proves nothing
 * about validity: only the SHA-256 lookup does. 32 random bytes give 256 bits of entropy, so a fast
 * hash is enough at rest (no argon2 on token checks).
 */

/**
 * The token kinds and their prefixes: personal, organization and team tokens, and the SCIM
 * provisioning tokens of an organization's identity provider (kept in scim_tokens, never accepted
 * by the API: its lookup is in access_tokens only).
 */
export const ACCESS_TOKEN_PREFIXES = { personal: "gth_", organization: "gto_", team: "gtt_", scim: "gts_" } as const;

/** One of the allowed prefixes. */
export type AccessTokenPrefix = (typeof ACCESS_TOKEN_PREFIXES)[keyof typeof ACCESS_TOKEN_PREFIXES];

const ALLOWED_PREFIXES: readonly string[] = Object.values(ACCESS_TOKEN_PREFIXES);
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_BYTES = 32;
/** 62^43 > 2^256, so 43 characters hold any 32-byte value. */
const RANDOM_CHARS = 43;
/** 62^6 > 2^32, so 6 characters hold any CRC32. */
const CHECKSUM_CHARS = 6;
const BODY = new RegExp(`^[0-9A-Za-z]{${RANDOM_CHARS + CHECKSUM_CHARS}}$`);

/** Total length of a token: 4-character prefix + random part + checksum. */
export const ACCESS_TOKEN_LENGTH = 4 + RANDOM_CHARS + CHECKSUM_CHARS;

/** A newly generated token: the secret (shown once), what is kept for display, and the stored hash. */
export interface GeneratedAccessToken {
  token: string;
  prefix: AccessTokenPrefix;
  last4: string;
  hash: Buffer;
}

export type ParsedAccessToken = { ok: true; token: string; prefix: AccessTokenPrefix; hash: Buffer } | { ok: false; reason: "malformed" };

/** A fresh random token of the given kind with its display parts and SHA-256 hash. */
export function generateAccessToken(prefix: AccessTokenPrefix): GeneratedAccessToken {
  if (!ALLOWED_PREFIXES.includes(prefix)) throw new Error(`unknown access token prefix ${prefix}`);
  const random = base62(BigInt(`0x${crypto.randomBytes(RANDOM_BYTES).toString("hex")}`), RANDOM_CHARS);
  const token = `${prefix}${random}${checksum(prefix, random)}`;
  return { token, prefix, last4: token.slice(-4), hash: hashToken(token) };
}

/**
 * Checks a presented string's shape and checksum without any database query: a malformed string is
 * answered at once, so garbage and guesses never reach the token table. `ok` means well-formed
 * only; the caller still looks the hash up.
 */
export function parseAccessToken(raw: unknown): ParsedAccessToken {
  if (typeof raw !== "string" || raw.length !== ACCESS_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const prefix = raw.slice(0, 4);
  const body = raw.slice(4);
  if (!ALLOWED_PREFIXES.includes(prefix) || !BODY.test(body)) return { ok: false, reason: "malformed" };
  const random = body.slice(0, RANDOM_CHARS);
  if (body.slice(RANDOM_CHARS) !== checksum(prefix, random)) return { ok: false, reason: "malformed" };
  return { ok: true, token: raw, prefix: prefix as AccessTokenPrefix, hash: hashToken(raw) };
}

/** How a token is shown after creation: prefix, an ellipsis and the last 4 characters. */
export function displayAccessToken(prefix: string, last4: string): string {
  return `${prefix}…${last4}`;
}

function checksum(prefix: string, random: string): string {
  return base62(BigInt(crc32(Buffer.from(prefix + random, "ascii"))), CHECKSUM_CHARS);
}

function base62(value: bigint, width: number): string {
  let out = "";
  let n = value;
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, "0");
}

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3, as in zlib), written out so the format does not depend on the Node version. */
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
