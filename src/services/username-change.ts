import { db } from "../db/knex";
import { findUserByUsername, updateUser, type UserRow } from "../db/users";
import { isUniqueViolation, type FieldErrors } from "../lib/errors";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";

const TAKEN = "That username is taken. Choose another.";

/**
 * Renames a user (the new name already passed handleSchema, the signup rule). Usernames are public,
 * so a taken one is reported on its field; the unique index decides races between two renames.
 */
export async function changeUsername(
  user: UserRow,
  username: string,
  meta: RequestMeta,
): Promise<{ ok: true; user: UserRow } | { ok: false; errors: FieldErrors }> {
  if (username === user.username) return { ok: false, errors: { username: "That is already your username." } };
  const holder = await findUserByUsername(username);
  // Only a change of letter case may keep the same (case-insensitive) name.
  if (holder && holder.id !== user.id) return { ok: false, errors: { username: TAKEN } };
  try {
    const updated = await db.transaction(async (trx) => {
      const row = await updateUser(user.id, { username }, trx);
      await recordSecurityEvent(user.id, "username.changed", meta, { from: user.username, to: username }, trx);
      return row;
    });
    return { ok: true, user: updated };
  } catch (err) {
    if (isUniqueViolation(err, "users_username_unique")) return { ok: false, errors: { username: TAKEN } };
    throw err;
  }
}
