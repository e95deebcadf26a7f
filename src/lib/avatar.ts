import crypto from "node:crypto";

/**
 * The Gravatar image URL for an address: SHA-256 of the trimmed, lower-cased email, as Gravatar
 * documents. Only the browser loads it (our server never fetches it); `d=404` makes Gravatar answer
 * "not found" for addresses without an image, so the initials underneath show instead of a stock
 * picture.
 */
export function gravatarUrl(email: string, size = 160): string {
  const hash = crypto.createHash("sha256").update(email.trim().toLowerCase(), "utf8").digest("hex");
  return `https://www.gravatar.com/avatar/${hash}?s=${size}&d=404`;
}

/** One or two capital letters for the avatar fallback, from the display name or the username. */
export function initials(displayName: string, username: string): string {
  const words = (displayName.trim() || username).split(/[\s\-_.]+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : [words[0] ?? "?"];
  return letters.map((w) => [...w][0]!.toUpperCase()).join("");
}
