import { db } from "../db/knex";
import { updateUser, type UserRow } from "../db/users";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

/** What the "about you" step asks for (validated by its form's schema). */
export interface AboutYou {
  display_name: string;
  /** "What do you work on": the start of the profile's bio, editable in profile settings later. */
  bio: string;
}

/**
 * Ends the "about you" step for good, saving the answers when given (skipping saves none), so it
 * is shown once. Logs which profile fields changed, as the profile settings do.
 */
export async function finishWelcome(user: UserRow, about: AboutYou | undefined, meta: RequestMeta): Promise<void> {
  const changed = about ? (Object.keys(about) as (keyof AboutYou)[]).filter((k) => about[k] !== user[k]) : [];
  await db.transaction(async (trx) => {
    await updateUser(user.id, { ...(about ?? {}), welcomed_at: new Date() }, trx);
    if (changed.length > 0) await recordSecurityEvent(user.id, "profile.updated", meta, { fields: changed }, trx);
  });
}
