// ~50,000 of the most common passwords from public breach corpora, as packaged by zxcvbn-ts. Loaded
// on the first check of a new password, not at start-up: the package holds zxcvbn's other word lists
// too (about 9 MB of heap), and most processes serve mostly pages that never set a password.
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { dictionary } = require("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common");
    common = new Set<string>((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  }
  return common;
}

/**
 * True when the password is a commonly used or breached one: listed itself, a listed word padded with
 * digits or symbols ("dragon12345678", "password!!!!"), or one character repeated.
 */
export function isCommonPassword(password: string): boolean {
  const COMMON = commonPasswords();
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return true;
  if (/^(.)\1*$/u.test(lower)) return true;
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, "");
  return core.length >= 3 && core !== lower && COMMON.has(core);
}
