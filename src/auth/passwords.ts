import argon2 from "argon2";
import { z } from "zod";
import { Semaphore } from "../lib/semaphore";
import { ARGON2_CONCURRENCY } from "../thread-pool";
import { isCommonPassword } from "./common-passwords";

/**
 * The one place argon2 is used. node-argon2 hashes on libuv's thread pool, never on the event loop,
 * so a burst of sign-ins does not stall other requests.
 *
 * At most one hash per core runs at once (see src/thread-pool.ts for the pool's size); the rest wait
 * in order. Unbounded, a burst of sign-ins would take every pool thread, and file, DNS and crypto
 * work of unrelated requests would queue behind it; it would not finish the sign-ins sooner either,
 * since each hash keeps one core busy.
 *
 * Parameters are OWASP's argon2id recommendation (m=19 MiB, t=2, p=1). needsRehash() upgrades stored
 * hashes at the next successful sign-in when these change.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Upper bound checked before hashing, so nobody can make us hash megabytes. */
export const PASSWORD_MAX_LENGTH = 128;

/** The argon2 slots; `running` and `queued` show the current load. */
export const argon2Slots = new Semaphore(ARGON2_CONCURRENCY);

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return argon2Slots.run(() => argon2.hash(password, OPTIONS));
}

// A real hash of a random value: verifying against it costs the same as a real account's hash.
const dummyHash = hashPassword(`dummy-${Math.random()}-${Date.now()}`);

/**
 * Verifies a password against a stored hash. With no hash (unknown account, or a provider-only
 * account) it still runs one argon2 verification against a dummy, so response time does not reveal
 * whether the account exists, and answers false.
 */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  if (!hash) {
    const dummy = await dummyHash;
    await argon2Slots.run(() => argon2.verify(dummy, password)).catch(() => false);
    return false;
  }
  try {
    return await argon2Slots.run(() => argon2.verify(hash, password));
  } catch {
    return false;
  }
}

/** True when the stored hash uses other parameters than today's and should be replaced. */
export function needsRehash(hash: string): boolean {
  // argon2.needsRehash compares the version and costs only, not the variant: check argon2id ourselves.
  return !hash.startsWith("$argon2id$") || argon2.needsRehash(hash, OPTIONS);
}

/**
 * Zod schema for a new password: length only (no composition rules, per NIST 800-63B), refused when
 * it is on the common-passwords list or contains the account's username or email name.
 */
export function newPasswordSchema(minLength: number) {
  return z
    .string()
    .min(minLength, `Use at least ${minLength} characters.`)
    .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`)
    .refine((p) => !isCommonPassword(p), "This password is on a list of commonly used or breached passwords. Choose another.");
}

/** Every rule newPasswordSchema and personalPasswordProblem apply, in words, for the hint under a new-password field. */
export function passwordRules(minLength: number): string {
  return `${minLength} to ${PASSWORD_MAX_LENGTH} characters, no other rules: a passphrase of a few words works well. Commonly used or breached passwords are refused, and so is one that contains your username or email address.`;
}

/** A message when the password contains the username or the email's local part, else undefined. */
export function personalPasswordProblem(password: string, username?: string, email?: string): string | undefined {
  const lower = password.toLowerCase();
  const parts = [username, email?.split("@")[0]].filter((s): s is string => !!s && s.length >= 4);
  return parts.some((p) => lower.includes(p.toLowerCase()))
    ? "Your password must not contain your username or email address."
    : undefined;
}
