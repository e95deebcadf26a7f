import { z } from "zod";

/**
 * Names that would collide with our own URLs or impersonate the service; refused as usernames and
 * organization slugs.
 */
const RESERVED = new Set([
  "about", "account", "admin", "administrator", "api", "app", "assets", "auth", "billing", "cli", "dashboard",
  "dev", "docs", "email", "explore", "gatehouse", "healthz", "help", "home", "invitations", "login", "logout",
  "mail", "me", "new", "oauth", "official", "org", "orgs", "organizations", "password", "privacy", "public",
  "readyz", "root", "security", "settings", "signin", "signout", "signup", "static", "status", "support",
  "system", "team", "teams", "terms", "u", "user", "users", "well-known", "www",
]);

/** True when a username or slug is reserved. */
export function isReservedHandle(handle: string): boolean {
  return RESERVED.has(handle.toLowerCase());
}

/**
 * A username or organization slug: 1 to 39 letters, digits and single hyphens, not starting or
 * ending with a hyphen (GitHub's rule, which our users know), and not reserved.
 */
export const handleSchema = z
  .string()
  .trim()
  .min(1, "Choose a name.")
  .max(39, "Use at most 39 characters.")
  .regex(/^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/, "Use letters, digits and single hyphens, not at the start or end.")
  .refine((h) => !isReservedHandle(h), "That name is reserved. Choose another.");

/** An email address, trimmed, at most 254 characters. */
export const emailSchema = z
  .string()
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like ana@example.com."));
