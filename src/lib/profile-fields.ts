import { z } from "zod";
import { nameSchema, UNSAFE_IN_TEXT } from "./display-text";
import { LINK_MAX_LENGTH, normaliseHttpUrl, withDefaultScheme } from "./profile-links";

/**
 * The rules of the profile fields, shared by the profile form (src/routes/web/settings/profile.ts)
 * and the API's PATCH /api/v1/user body (src/routes/api/user.ts), so both refuse the same values.
 * Control and bidi characters (other than the bio's line breaks) have no business in a name or bio
 * and can be used to spoof what a profile seems to say: the rule is shared with every other name
 * (src/lib/display-text.ts). The migration enforces the same limits in the database.
 */

export const DISPLAY_NAME_MAX = 64;
export const BIO_MAX = 160;
export const LINKS_MAX = 4;

const codePoints = (s: string) => [...s].length;

/** A display name: trimmed, at most DISPLAY_NAME_MAX characters, may be empty. */
export const displayNameSchema = nameSchema(DISPLAY_NAME_MAX);

/** A bio: line breaks normalised, trimmed, at most BIO_MAX characters of plain text. */
export const bioSchema = z
  .string()
  .transform((v) => v.replace(/\r\n?/g, "\n").trim())
  .refine((v) => codePoints(v) <= BIO_MAX, `Use at most ${BIO_MAX} characters.`)
  .refine((v) => !UNSAFE_IN_TEXT.test(v), "Use plain text only.");

/**
 * One link: empty, or an http(s) address, `https://` added when no scheme is typed ("example.com");
 * normalise it with normaliseHttpUrl before storing.
 */
export const linkSchema = z
  .string()
  .trim()
  .transform(withDefaultScheme)
  .refine((v) => v.length <= LINK_MAX_LENGTH, `Use at most ${LINK_MAX_LENGTH} characters.`)
  .refine((v) => v === "" || normaliseHttpUrl(v) !== undefined, "Enter a web address, like example.com or https://example.com/you.");

/** The links to store: empty ones dropped, the rest normalised. */
export const storedLinks = (links: string[]) => links.filter((v) => v !== "").map((v) => normaliseHttpUrl(v)!);
