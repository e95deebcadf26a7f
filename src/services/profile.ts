import { z } from "zod";
import { db } from "../db/knex";
import { updateUser, type UserRow } from "../db/users";
import { nameSchema, UNSAFE_IN_TEXT } from "../lib/display-text";
import { LINK_MAX_LENGTH, normaliseHttpUrl } from "../lib/profile-links";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** Limits of the profile fields (the migration enforces the same in the database). */
export const DISPLAY_NAME_MAX = 64;
export const BIO_MAX = 160;
export const LINKS_MAX = 4;

/** Names of the link inputs on the profile form, one per allowed link. */
export const LINK_FIELDS = ["link_1", "link_2", "link_3", "link_4"] as const;

// Control and bidi characters (other than the bio's line breaks) have no business in a name or bio
// and can be used to spoof what a profile seems to say: the rule is shared with every other name
// (src/lib/display-text.ts).
const codePoints = (s: string) => [...s].length;

const linkField = z
  .string()
  .trim()
  .max(LINK_MAX_LENGTH, `Use at most ${LINK_MAX_LENGTH} characters.`)
  .refine((v) => v === "" || normaliseHttpUrl(v) !== undefined, "Enter a full web address starting with https:// or http://.")
  .default("");

/**
 * The profile form. Only these fields are read from the request: anything else posted (email,
 * username, id, password_hash...) is dropped by zod, so the form cannot be used to write other
 * columns (no mass assignment).
 */
export const ProfileForm = z
  .object({
    display_name: nameSchema(DISPLAY_NAME_MAX).default(""),
    bio: z
      .string()
      .transform((v) => v.replace(/\r\n?/g, "\n").trim())
      .refine((v) => codePoints(v) <= BIO_MAX, `Use at most ${BIO_MAX} characters.`)
      .refine((v) => !UNSAFE_IN_TEXT.test(v), "Use plain text only.")
      .default(""),
    link_1: linkField,
    link_2: linkField,
    link_3: linkField,
    link_4: linkField,
    profile_public: z.literal("on", "Tick the box or leave it empty.").optional(),
    gravatar_public: z.literal("on", "Tick the box or leave it empty.").optional(),
  })
  .transform((f) => ({
    display_name: f.display_name,
    bio: f.bio,
    links: LINK_FIELDS.map((k) => f[k]).filter((v) => v !== "").map((v) => normaliseHttpUrl(v)!),
    profile_public: f.profile_public === "on",
    gravatar_public: f.gravatar_public === "on",
  }));

export type ProfileInput = z.infer<typeof ProfileForm>;

/** Saves the profile fields and logs which of them changed. Returns the updated row. */
export async function updateProfile(user: UserRow, input: ProfileInput, meta: RequestMeta): Promise<UserRow> {
  const changed = (Object.keys(input) as (keyof ProfileInput)[]).filter((k) => JSON.stringify(input[k]) !== JSON.stringify(user[k]));
  return db.transaction(async (trx) => {
    const updated = await updateUser(user.id, input, trx);
    if (changed.length > 0) await recordSecurityEvent(user.id, "profile.updated", meta, { fields: changed }, trx);
    return updated;
  });
}
