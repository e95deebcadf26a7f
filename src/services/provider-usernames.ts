import crypto from "node:crypto";
import { db, type Executor } from "../db/knex";
import { findUserByUsername } from "../db/users";
import { isReservedHandle } from "../lib/handles";

const MAX = 39;

/**
 * A username in our format (letters, digits, single inner hyphens, at most 39) made from a
 * provider's account name: other characters become hyphens, runs collapse, ends are trimmed.
 */
export function usernameFromProviderName(name: string): string {
  const cleaned = name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX)
    .replace(/-+$/, "");
  return cleaned || "user";
}

/**
 * The provider's name as a username when it is free and not reserved, else a free variant
 * ("ana-2", "ana-3", ..., then a random suffix). The user can change it later in settings.
 */
export async function freeUsername(providerName: string, q: Executor = db): Promise<string> {
  const base = usernameFromProviderName(providerName);
  const candidates = [base, ...Array.from({ length: 8 }, (_, i) => withSuffix(base, String(i + 2)))];
  for (const candidate of candidates) {
    if (isReservedHandle(candidate)) continue;
    if (!(await findUserByUsername(candidate, q))) return candidate;
  }
  return randomVariant(base);
}

/** The base with a random suffix; used when the obvious variants are taken or lost a race. */
export function randomVariant(base: string): string {
  return withSuffix(base, crypto.randomBytes(3).toString("hex"));
}

function withSuffix(base: string, suffix: string): string {
  return `${base.slice(0, MAX - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}
