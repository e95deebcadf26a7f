import { db } from "../db/knex";
import { updateUser, type UserRow } from "../db/users";
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

/** Saves the profile fields and logs which of them changed. Returns the updated row. */
export async function updateProfile(user: UserRow, input: ProfileInput, meta: RequestMeta): Promise<UserRow> {
  const changed = (Object.keys(input) as (keyof ProfileInput)[]).filter((k) => JSON.stringify(input[k]) !== JSON.stringify(user[k]));
  return db.transaction(async (trx) => {
    const updated = await updateUser(user.id, input, trx);
    if (changed.length > 0) await recordSecurityEvent(user.id, "profile.updated", meta, { fields: changed }, trx);
    return updated;
  });
}
