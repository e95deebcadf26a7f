import { dictionary } from "@zxcvbn-ts/language-common";

// ~50,000 of the most common passwords from public breach corpora, as packaged by zxcvbn-ts.
const COMMON = new Set<string>((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));

/**
 * True when the password is a commonly used or breached one: listed itself, a listed word padded with
 * digits or symbols ("dragon12345678", "password!!!!"), or one character repeated.
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return true;
  if (/^(.)\1*$/u.test(lower)) return true;
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, "");
  return core.length >= 3 && core !== lower && COMMON.has(core);
}
