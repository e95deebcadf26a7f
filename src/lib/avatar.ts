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
  /** The picture on top of the initials, or null for the initials alone. */
  url: string | null;
  initials: string;
}

/** What an avatar is built from: the person, their choice, and the provider picture that choice gives (db/avatars.ts). */
export interface AvatarOwner {
  username: string;
  display_name: string;
  email: string;
  avatar_source: "provider" | "gravatar" | "initials";
  gravatar_public: boolean;
  provider_avatar_url?: string | null;
}

/**
 * A person's avatar as `audience` sees it: the picture they chose (a linked identity's, Gravatar's)
 * on top of their initials, or the initials alone. A Gravatar URL holds a hash of the email
 * address, which anyone can match against addresses they know, so others see it only when its
 * owner chose to show it (gravatar_public); the owner always sees their own.
 */
export function avatarFor(person: AvatarOwner, audience: "owner" | "others"): Avatar {
  const letters = initials(person.display_name, person.username);
  if (person.avatar_source === "provider") return { url: person.provider_avatar_url ?? null, initials: letters };
  if (person.avatar_source === "gravatar" && (audience === "owner" || person.gravatar_public)) return { url: gravatarUrl(person.email), initials: letters };
  return { url: null, initials: letters };
}

/** The signed-in person's own avatar (the header, settings). */
export function ownAvatar(person: AvatarOwner): Avatar {
  return avatarFor(person, "owner");
}

/** The initials alone, for a person whose avatar choice was not read. */
export function initialsAvatar(person: { username: string; display_name?: string | null }): Avatar {
  return { url: null, initials: initials(person.display_name ?? "", person.username) };
}
