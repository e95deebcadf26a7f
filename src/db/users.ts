import { db, type Executor } from "./knex";

/** The pictures an avatar can show (users.avatar_source). */
export const AVATAR_SOURCES = ["provider", "gravatar", "initials"] as const;
/** One of AVATAR_SOURCES. */
export type AvatarSource = (typeof AVATAR_SOURCES)[number];

export interface UserRow {
  id: number;
  username: string;
  email: string;
  email_confirmed_at: Date | null;
  password_hash: string | null;
  display_name: string;
  /** Public-profile fields: plain-text bio, up to 4 http(s) links, opt-in visibility. */
  bio: string;
  links: string[];
  profile_public: boolean;
  /** Whether the public profile shows the Gravatar image (its URL holds a hash of the email address). */
  gravatar_public: boolean;
  /** What the avatar shows: a linked identity's picture (the default), the Gravatar image, or the initials. */
  avatar_source: AvatarSource;
  /** The identity whose picture a 'provider' avatar shows; null: the oldest identity that has one. */
  avatar_identity_id: number | null;
  /** A site admin (users, organizations and instance settings at /admin); not an organization role. */
  is_site_admin: boolean;
  /** Set while the account is suspended: its sessions and tokens are refused and it cannot sign in. */
  suspended_at: Date | null;
  /** When the "about you" step after the first sign-in was completed or skipped; null while it is still ahead. */
  welcomed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Every column of UserRow, for statements that name their columns instead of `users.*` (prepared
 * statements, joins whose tables share column names). A column added to UserRow must be added here
 * too, or this does not compile.
 */
export const USER_COLUMNS = Object.keys({
  id: true, username: true, email: true, email_confirmed_at: true, password_hash: true, display_name: true,
  bio: true, links: true, profile_public: true, gravatar_public: true, avatar_source: true, avatar_identity_id: true, is_site_admin: true, suspended_at: true, welcomed_at: true, created_at: true,
  updated_at: true,
} satisfies Record<keyof UserRow, true>) as (keyof UserRow)[];

/** The user with this id, or undefined. */
export function findUserById(id: number, q: Executor = db): Promise<UserRow | undefined> {
  return q<UserRow>("users").where({ id }).first();
}

/** The user whose username or email equals `login` (case-insensitively), or undefined. */
export function findUserByLogin(login: string, q: Executor = db): Promise<UserRow | undefined> {
  const column = login.includes("@") ? "email" : "username";
  return q<UserRow>("users").where(column, login).first();
}

/** The user with this email (case-insensitively), or undefined. */
export function findUserByEmail(email: string, q: Executor = db): Promise<UserRow | undefined> {
  return q<UserRow>("users").where({ email }).first();
}

/** The user with this username (case-insensitively), or undefined. */
export function findUserByUsername(username: string, q: Executor = db): Promise<UserRow | undefined> {
  return q<UserRow>("users").where({ username }).first();
}

/** Inserts a user and returns the row. */
export async function insertUser(
  fields: Pick<UserRow, "username" | "email"> & Partial<Pick<UserRow, "password_hash" | "display_name" | "email_confirmed_at" | "welcomed_at">>,
  q: Executor = db,
): Promise<UserRow> {
  const [row] = await q<UserRow>("users").insert(fields).returning("*");
  return row!;
}

/** Updates a user's columns and returns the row. */
export async function updateUser(
  id: number,
  fields: Partial<Omit<UserRow, "id" | "created_at">>,
  q: Executor = db,
): Promise<UserRow> {
  const [row] = await q<UserRow>("users").where({ id }).update({ ...fields, updated_at: q.fn.now() as unknown as Date }).returning("*");
  return row!;
}

/** Deletes a user; foreign keys cascade to everything keyed by the user. Returns true when a row went. */
export async function deleteUser(id: number, q: Executor = db): Promise<boolean> {
  return (await q("users").where({ id }).delete()) > 0;
}

/** The user with this id, row-locked until the caller's transaction ends, or undefined. */
export function lockUserById(id: number, trx: Executor): Promise<UserRow | undefined> {
  return trx<UserRow>("users").where({ id }).forUpdate().first();
}
