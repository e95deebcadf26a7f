import crypto from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import { hashToken } from "../lib/tokens";

/**
 * TOTP (RFC 6238) as every authenticator app speaks it: SHA-1, 6 digits, 30-second steps, a
 * 160-bit secret in base32. Codes of the step before and after the current one are accepted too
 * (clocks on phones drift), never two steps away.
 */
const PERIOD_SECONDS = 30;
const SKEW_SECONDS = PERIOD_SECONDS;

/** A fresh 160-bit TOTP secret, base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI an app reads from the QR code. */
export function totpUri(secret: string, accountName: string, issuer: string): string {
  return generateURI({ issuer, label: accountName, secret });
}

/**
 * The QR code of the URI as a data: URL of an SVG image, rendered here: the secret never goes to
 * a third-party QR service (or any other URL that could log it).
 */
export async function totpQrDataUrl(uri: string): Promise<string> {
  // Loaded on first use: only the two-factor setup page draws a QR code.
  const { default: QRCode } = await import("qrcode");
  const svg = await QRCode.toString(uri, { type: "svg", margin: 2, errorCorrectionLevel: "M" });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/** Whether the text typed looks like a TOTP code (six digits, spaces allowed). */
export function looksLikeTotpCode(text: string): boolean {
  return /^\d{6}$/.test(text.replace(/\s+/g, ""));
}

/**
 * The time step of `code` when it is valid for `secret` at `epochSeconds` (±1 step), else
 * undefined. Whether that step was already used is decided by the caller, atomically in the
 * database (claimTotpStepForUser), not here.
 */
export async function totpStepOf(secret: string, code: string, epochSeconds = Math.floor(Date.now() / 1000)): Promise<number | undefined> {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return undefined;
  const result = await verify({ secret, token, epoch: epochSeconds, epochTolerance: SKEW_SECONDS });
  return result.valid && "timeStep" in result ? result.timeStep : undefined;
}

// Crockford's base32 alphabet: no i, l, o or u, so a code read aloud or copied by hand survives.
const RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
// 80 bits each: enough that the SHA-256 stored for each cannot be searched offline (2^80 hashes),
// short enough to type from paper.
const RECOVERY_CODE_LENGTH = 16;

/** How many recovery codes a set has. */
export const RECOVERY_CODE_COUNT = 10;

/** A set of fresh recovery codes, formatted for people ("k3m9-x2ab-7qwe-5tzn"). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = crypto.randomBytes(RECOVERY_CODE_LENGTH);
    const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET[b & 31]).join("");
    return chars.match(/.{4}/g)!.join("-");
  });
}

/** The stored form of a (normalized) recovery code: its SHA-256, like every other random token. */
export function hashRecoveryCode(code: string): Buffer {
  return hashToken(code);
}

/**
 * A typed recovery code in its stored form (lowercase, no dashes or spaces, with the letters
 * people confuse mapped as Crockford's base32 does), or undefined when it cannot be one.
 */
export function normalizeRecoveryCode(text: string): string | undefined {
  const plain = text.toLowerCase().replace(/[\s-]+/g, "").replace(/[il]/g, "1").replace(/o/g, "0");
  if (plain.length !== RECOVERY_CODE_LENGTH || [...plain].some((c) => !RECOVERY_ALPHABET.includes(c))) return undefined;
  return plain;
}
