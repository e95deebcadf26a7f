import crypto from "node:crypto";

/** Where Gravatar images come from (the CSP's img-src lists it). */
export const GRAVATAR_ORIGIN = "https://www.gravatar.com";

/**
 * The Gravatar image URL for an address: SHA-256 of the trimmed, lower-cased email, as Gravatar
 * documents. Only the browser loads it (our server never fetches it); `d=404` makes Gravatar answer
 * "not found" for addresses without an image, so the initials underneath show instead of a stock
 * picture.
 */
export function gravatarUrl(email: string, size = 160): string {
  const hash = crypto.createHash("sha256").update(email.trim().toLowerCase(), "utf8").digest("hex");
  return `${GRAVATAR_ORIGIN}/avatar/${hash}?s=${size}&d=404`;
}

/** One or two capital letters for the avatar fallback, from the display name or the username. */
export function initials(displayName: string, username: string): string {
  const words = (displayName.trim() || username).split(/[\s\-_.]+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : [words[0] ?? "?"];
  return letters.map((w) => [...w][0]!.toUpperCase()).join("");
}

/** What views/partials/avatar.ejs shows for a person. */
export interface Avatar {
  /** The Gravatar image on top of the initials, or null for the initials alone. */
  url: string | null;
  initials: string;
}

/**
 * A person's avatar for lists and the header: the initials only. A Gravatar URL holds a hash of the
 * email address, so it is shown only where its owner sees it or chose to show it (the profile pages
 * build those avatars with gravatarUrl themselves).
 */
export function initialsAvatar(person: { username: string; display_name?: string | null }): Avatar {
  return { url: null, initials: initials(person.display_name ?? "", person.username) };
}
