import { db, type Executor } from "./knex";
import type { UserRow } from "./users";

/**
 * SQL for the provider picture a user's avatar shows, given the users table's alias: null unless
 * the user's avatar_source is 'provider'; then the picture of the chosen identity, else of the
 * oldest identity that has one. Read with the user wherever avatars are shown, so a page of people
 * costs no query per person.
 */
export function providerAvatarSql(users: string): string {
  return `CASE WHEN ${users}.avatar_source = 'provider' THEN (SELECT i.avatar_url FROM identities AS i
    WHERE i.user_id = ${users}.id AND i.avatar_url IS NOT NULL
    ORDER BY i.id = ${users}.avatar_identity_id DESC NULLS LAST, i.id LIMIT 1) END`;
}

/** What an avatar is built from (lib/avatar.ts avatarFor): the person's choice and its picture. */
export interface AvatarFields extends Pick<UserRow, "id" | "username" | "display_name" | "email" | "avatar_source" | "gravatar_public"> {
  provider_avatar_url: string | null;
}

/** The avatar fields of these users, by user id, in one query. */
export async function listAvatarFieldsForUsers(userIds: number[], q: Executor = db): Promise<Map<number, AvatarFields>> {
  if (userIds.length === 0) return new Map();
  const rows = await q<AvatarFields>("users as u")
    .whereIn("u.id", userIds)
    .select("u.id", "u.username", "u.display_name", "u.email", "u.avatar_source", "u.gravatar_public", q.raw(`${providerAvatarSql("u")} AS provider_avatar_url`));
  return new Map(rows.map((r) => [Number(r.id), r]));
}

/** The provider picture a user's avatar shows (see providerAvatarSql), or null. */
export async function findProviderAvatarForUser(userId: number, q: Executor = db): Promise<string | null> {
  const row = await q("users as u").where("u.id", userId).first(q.raw(`${providerAvatarSql("u")} AS url`));
  return (row as { url: string | null } | undefined)?.url ?? null;
}
