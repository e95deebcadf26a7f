import { db } from "../db/knex";
import { findUserByUsername, updateUser, type UserRow } from "../db/users";
import { isUniqueViolation, ValidationError } from "../lib/errors";
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
): Promise<UserRow> {
  if (username === user.username) throw new ValidationError({ username: "That is already your username." });
  const holder = await findUserByUsername(username);
  // Only a change of letter case may keep the same (case-insensitive) name.
  if (holder && holder.id !== user.id) throw new ValidationError({ username: TAKEN });
  try {
    const updated = await db.transaction(async (trx) => {
      const row = await updateUser(user.id, { username }, trx);
      await recordSecurityEvent(user.id, "username.changed", meta, { from: user.username, to: username }, trx);
      return row;
    });
    return updated;
  } catch (err) {
    if (isUniqueViolation(err, "users_username_unique")) throw new ValidationError({ username: TAKEN });
    throw err;
  }
}
