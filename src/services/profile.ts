import { db } from "../db/knex";
import { findIdentityForUser, lockUserForIdentityChange } from "../db/identities";
import { updateUser, type AvatarSource, type UserRow } from "../db/users";
import { ValidationError } from "../lib/errors";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** A profile as stored (validated by the profile form's and the API's schemas, src/lib/profile-fields.ts). */
export interface ProfileInput {
  display_name: string;
  bio: string;
  links: string[];
  profile_public: boolean;
  gravatar_public: boolean;
}

/** Which picture the avatar shows (users.avatar_source), and for a provider picture which identity's. */
export interface AvatarChoice {
  avatar_source: AvatarSource;
  avatar_identity_id: number | null;
}

/**
 * Saves the profile fields (and the avatar choice when given) and logs which of them changed.
 * Returns the updated row. A chosen identity must be the user's own: someone else's id is refused
 * like an unknown one, so the form cannot tell whether it exists.
 */
export async function updateProfile(user: UserRow, input: ProfileInput & Partial<AvatarChoice>, meta: RequestMeta): Promise<UserRow> {
  const changed = (Object.keys(input) as (keyof typeof input)[]).filter((k) => JSON.stringify(input[k]) !== JSON.stringify(user[k]));
  return db.transaction(async (trx) => {
    // The user's row is locked first, as unlinking does (services/identities.ts): a disconnect racing
    // with this choice then runs wholly before it (the identity is gone: refused) or after it (the
    // foreign key's SET NULL clears the choice), and the two cannot deadlock on each other's rows.
    if (input.avatar_identity_id && !((await lockUserForIdentityChange(user.id, trx)) && (await findIdentityForUser(user.id, input.avatar_identity_id, trx)))) {
      throw new ValidationError({ avatar: "Choose one of the pictures listed." });
    }
    const updated = await updateUser(user.id, input, trx);
    if (changed.length > 0) await recordSecurityEvent(user.id, "profile.updated", meta, { fields: changed }, trx);
    return updated;
  });
}
