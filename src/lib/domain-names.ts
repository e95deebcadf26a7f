import { domainToASCII } from "node:url";
import { parse } from "tldts";

/**
 * Domain names as organizations claim them: one canonical form (lowercase ASCII, punycode for
 * internationalized names, no trailing dot), so that "Example.COM." and "example.com" are one claim
 * and the database's unique index sees them as one.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The canonical form of a typed domain, or the reason it is not one an organization can claim. */
export function canonicalDomain(input: string): { ok: true; domain: string } | { ok: false; error: string } {
  const typed = input.trim().replace(/\.$/, "");
  if (typed === "") return { ok: false, error: "Enter a domain, like example.com." };
  if (/[@/:\s]/.test(typed)) return { ok: false, error: "Enter the domain alone, like example.com (no address, path or port)." };
  const ascii = domainToASCII(typed);
  if (!ascii || ascii.length > 253 || !ascii.split(".").every((l) => LABEL.test(l))) return { ok: false, error: "That is not a valid domain name." };
  const parsed = parse(ascii, { allowPrivateDomains: true });
  if (parsed.isIp) return { ok: false, error: "Enter a domain name, not an IP address." };
  // A public suffix (com, co.uk, github.io) is shared by everyone who registers under it: whoever
  // claimed it would be offered every address below it.
  if (!parsed.domain || parsed.publicSuffix === ascii || ascii.split(".").length < 2) {
    return { ok: false, error: "That is a public suffix shared by many owners. Enter your own domain, like example.com." };
  }
  return { ok: true, domain: ascii };
}

/** The domain of an email address, lowercased (the part after the last @), or null. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf("@");
  if (at < 0) return null;
  return domainToASCII(email.slice(at + 1).trim().toLowerCase()) || null;
}
