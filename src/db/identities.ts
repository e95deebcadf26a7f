import { CoalescedLookup } from "./coalesced-lookup";
import { columnsAt, db, type Executor } from "./knex";

/** An external identity linked to an account (table identities). */
export interface IdentityRow {
  id: number;
  user_id: number;
  provider: string;
  provider_user_id: string;
  provider_username: string;
  avatar_url: string | null;
  created_at: Date;
  last_used_at: Date | null;
  /**
   * False when the identity was attached to an account whose address was not yet proven, by a
   * provider that did not vouch for it: until the address's owner shows they hold this identity
   * too, it cannot sign in to the unconfirmed account and goes when the address is proven.
   */
  vouched_for_address: boolean;
}

/** The identity with this provider and provider user id, whoever owns it, or undefined. */
export function findIdentityByProviderId(provider: string, providerUserId: string, q: Executor = db): Promise<IdentityRow | undefined> {
  return q<IdentityRow>("identities").where({ provider, provider_user_id: providerUserId }).first();
}

/** A user's linked identities, oldest first. */
export function listIdentitiesForUser(userId: number, q: Executor = db): Promise<IdentityRow[]> {
  return q<IdentityRow>("identities").where({ user_id: userId }).orderBy("id");
}

/** What the profile page offers of an identity: its picture. */
export type PicturedIdentity = Pick<IdentityRow, "id" | "provider" | "provider_username" | "avatar_url">;

// Read on every view of the profile page, where settings open, so sent as a fixed prepared text
// rather than built by the query builder, which was about 7% of that page's CPU, and with the
// lookups of other pages rendered at the same time (CoalescedLookup). The owner's id comes last.
const PICTURED_COLUMNS = ["id", "provider", "provider_username", "avatar_url"] satisfies (keyof PicturedIdentity)[];
const PICTURED_IDENTITIES = `SELECT ${PICTURED_COLUMNS.join(", ")}, user_id FROM identities
  WHERE user_id = ANY($1) AND avatar_url IS NOT NULL ORDER BY id`;
const picturedIdentities = new CoalescedLookup<number>("pictured-identities-of-users", PICTURED_IDENTITIES, PICTURED_COLUMNS.length);

/** A user's linked identities that have a picture, oldest first. */
export async function listPicturedIdentitiesForUser(userId: number): Promise<PicturedIdentity[]> {
  const rows = await picturedIdentities.rowsFor(userId);
  return rows.map((row) => columnsAt<PicturedIdentity>(PICTURED_COLUMNS, row));
}

/** One of the user's identities; someone else's id gives undefined (a 404 for the caller). */
export function findIdentityForUser(userId: number, id: number, q: Executor = db): Promise<IdentityRow | undefined> {
  return q<IdentityRow>("identities").where({ user_id: userId, id }).first();
}

/** Links an identity to a user and returns the row. */
export async function insertIdentity(
  fields: Pick<IdentityRow, "user_id" | "provider" | "provider_user_id" | "provider_username" | "avatar_url"> & Partial<Pick<IdentityRow, "vouched_for_address">>,
  q: Executor = db,
): Promise<IdentityRow> {
  const [row] = await q<IdentityRow>("identities").insert({ ...fields, last_used_at: new Date() }).returning("*");
  return row!;
}

/** Refreshes the account name and avatar shown for an identity and marks it used now. */
export async function touchIdentity(id: number, fields: Pick<IdentityRow, "provider_username" | "avatar_url">, q: Executor = db): Promise<void> {
  await q("identities").where({ id }).update({ ...fields, last_used_at: q.fn.now() });
}

/** Deletes one of the user's identities; returns the deleted row, or undefined when it was not theirs. */
export async function deleteIdentityForUser(userId: number, id: number, q: Executor = db): Promise<IdentityRow | undefined> {
  const [row] = await q<IdentityRow>("identities").where({ user_id: userId, id }).delete().returning("*");
  return row;
}

/** How many identities a user has linked. */
export async function countIdentitiesForUser(userId: number, q: Executor = db): Promise<number> {
  const row = await q("identities").where({ user_id: userId }).count<{ count: string | number }>({ count: "*" }).first();
  return Number(row?.count ?? 0);
}

/**
 * Locks the user's row until the caller's transaction ends. Link and unlink take this lock first,
 * so two concurrent unlinks cannot both pass the last-sign-in-method check and leave no way in.
 */
export async function lockUserForIdentityChange(userId: number, trx: Executor): Promise<{ id: number; password_hash: string | null } | undefined> {
  return trx<{ id: number; password_hash: string | null }>("users").select("id", "password_hash").where({ id: userId }).forUpdate().first();
}

/** The user's identity at one provider, or undefined. */
export function findIdentityForUserByProvider(userId: number, provider: string, q: Executor = db): Promise<IdentityRow | undefined> {
  return q<IdentityRow>("identities").where({ user_id: userId, provider }).first();
}

/** Deletes every identity of the user; returns them. */
export function deleteIdentitiesForUser(userId: number, q: Executor = db): Promise<IdentityRow[]> {
  return q<IdentityRow>("identities").where({ user_id: userId }).delete().returning("*");
}

/** Marks one of the user's identities as standing for the account's address. */
export async function markIdentityVouchedForUser(userId: number, id: number, q: Executor = db): Promise<void> {
  await q("identities").where({ user_id: userId, id }).update({ vouched_for_address: true });
}
