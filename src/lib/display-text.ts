import { z } from "zod";

/**
 * The one character rule for names people read: display names, organization and team names, and
 * the names providers send us. Such a name is shown next to other text (pages, mail subjects,
 * member lists), so it must not be able to change how that text reads:
 *
 * - C0 and C1 control characters and DEL: invisible, and in a mail subject or log line a CR or LF
 *   starts a new line the sender chose. U+2028 and U+2029 are line breaks too.
 * - Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder
 *   the text after them, so "Acme\u202Egnp.exe" reads as "Acmeexe.png" and a name can make the
 *   sentence around it say something else.
 * - The directional marks U+200E, U+200F and U+061C are refused as well. Alone they reorder only
 *   neutral characters around them (punctuation, digits), but they are invisible, so they make
 *   look-alike names ("admin" and "admin" + U+200E), and no name needs them: pages isolate names
 *   with the surrounding markup, and a right-to-left name displays correctly without them.
 *
 * Zero-width joiners (U+200C, U+200D) stay allowed: emoji sequences and scripts such as Persian
 * need them, and they do not reorder anything.
 *
 * Forms refuse such names with a message (nameSchema); names we do not choose (providers) are
 * cleaned instead (cleanName), so signing in never fails over a character in a profile.
 */

const CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f";
const LINE_SEPARATORS = "\\u2028\\u2029";
const BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

/** Characters a name may not hold (see the module comment). */
export const UNSAFE_IN_NAME = new RegExp(`[${CONTROLS}${LINE_SEPARATORS}${BIDI}]`, "u");

/** The same for multi-line plain text (a bio): as for names, but a line feed is allowed. */
export const UNSAFE_IN_TEXT = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f${LINE_SEPARATORS}${BIDI}]`, "u");

/** The message beside a name field holding such a character. */
export const NAME_CHARACTERS_MESSAGE = "Use letters, digits, spaces and punctuation only.";

const codePoints = (s: string) => [...s].length;

/** True when `name` holds none of the refused characters. */
export function isCleanName(name: string): boolean {
  return !UNSAFE_IN_NAME.test(name);
}

/**
 * A name field: trimmed, at most `max` characters (code points, as PostgreSQL's char_length
 * counts), none of the refused characters. With `required` an empty name is refused with that message.
 */
export function nameSchema(max: number, required?: string) {
  const base = z.string().trim();
  return (required ? base.min(1, required) : base)
    .refine((v) => codePoints(v) <= max, `Use at most ${max} characters.`)
    .refine(isCleanName, NAME_CHARACTERS_MESSAGE);
}

const UNSAFE_GLOBAL = new RegExp(UNSAFE_IN_NAME.source, "gu");
const BREAKS = new RegExp(`[\\t\\n\\v\\f\\r\\u0085${LINE_SEPARATORS}]`, "gu");

/**
 * A name made safe instead of refused: tabs and line breaks become spaces, every other refused
 * character is dropped, runs of spaces collapse, ends are trimmed; at most `max` characters when
 * given. For names we receive rather than ask for (providers), and for text put into mail.
 */
export function cleanName(name: string, max?: number): string {
  const cleaned = name.replace(BREAKS, " ").replace(UNSAFE_GLOBAL, "").replace(/ {2,}/g, " ").trim();
  return max === undefined ? cleaned : [...cleaned].slice(0, max).join("").trim();
}

const UNSAFE_IN_BODY = new RegExp(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${LINE_SEPARATORS}${BIDI}]`, "gu");

/** Multi-line text (a rendered mail body) without the refused characters; tabs and line breaks are kept. */
export function cleanMultilineText(text: string): string {
  return text.replace(UNSAFE_IN_BODY, "");
}
