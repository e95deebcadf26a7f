import { db, type Executor } from "./knex";

/** A registered passkey or security key (table passkeys). */
export interface PasskeyRow {
  id: number;
  user_id: number;
  name: string;
  /** The credential id, base64url, as the authenticator reports it. */
  credential_id: string;
  /** The COSE public key. */
  public_key: Buffer;
  counter: number;
  transports: string[];
  /** "singleDevice" (a security key) or "multiDevice" (a synced passkey). */
  device_type: string;
  backed_up: boolean;
  /** The random WebAuthn user handle (base64url) the authenticator stores with the credential. */
  user_handle: string;
  created_at: Date;
  last_used_at: Date | null;
}

/** A user's passkeys, oldest first. */
export function listPasskeysForUser(userId: number, q: Executor = db): Promise<PasskeyRow[]> {
  return q<PasskeyRow>("passkeys").where({ user_id: userId }).orderBy("id");
}

/** One of the user's passkeys; someone else's id gives undefined (a 404 for the caller). */
export function findPasskeyForUser(userId: number, id: number, q: Executor = db): Promise<PasskeyRow | undefined> {
  return q<PasskeyRow>("passkeys").where({ user_id: userId, id }).first();
}

/** The passkey with this credential id, whoever owns it (sign-in starts from the credential). */
export function findPasskeyByCredentialId(credentialId: string, q: Executor = db): Promise<PasskeyRow | undefined> {
  return q<PasskeyRow>("passkeys").where({ credential_id: credentialId }).first();
}

/** How many passkeys a user has. */
export async function countPasskeysForUser(userId: number, q: Executor = db): Promise<number> {
  const row = await q("passkeys").where({ user_id: userId }).count<{ count: string | number }>({ count: "*" }).first();
  return Number(row?.count ?? 0);
}

/** Stores a newly registered passkey and returns it. */
export async function insertPasskey(
  fields: Pick<PasskeyRow, "user_id" | "name" | "credential_id" | "public_key" | "counter" | "transports" | "device_type" | "backed_up" | "user_handle">,
  q: Executor = db,
): Promise<PasskeyRow> {
  const [row] = await q<PasskeyRow>("passkeys").insert(fields).returning("*");
  return row!;
}

/** Renames one of the user's passkeys; undefined when it was not theirs. */
export async function renamePasskeyForUser(userId: number, id: number, name: string, q: Executor = db): Promise<PasskeyRow | undefined> {
  const [row] = await q<PasskeyRow>("passkeys").where({ user_id: userId, id }).update({ name }).returning("*");
  return row;
}

/** Deletes one of the user's passkeys; returns the deleted row, or undefined when it was not theirs. */
export async function deletePasskeyForUser(userId: number, id: number, q: Executor = db): Promise<PasskeyRow | undefined> {
  const [row] = await q<PasskeyRow>("passkeys").where({ user_id: userId, id }).delete().returning("*");
  return row;
}

/**
 * Records a use: the new signature counter, the backup state and "last used". The counter only
 * moves forward (or stays at 0 for authenticators that keep none), checked in the same statement,
 * so of two responses racing with the same counter only one is accepted. False when the row is
 * gone or its counter already reached this value (a replayed or cloned authenticator's response).
 */
export async function recordPasskeyUse(id: number, previousCounter: number, newCounter: number, backedUp: boolean, q: Executor = db): Promise<boolean> {
  const updated = await q("passkeys")
    .where({ id, counter: previousCounter })
    .andWhere((w) => (newCounter === 0 ? w.where("counter", 0) : w.where("counter", "<", newCounter)))
    .update({ counter: newCounter, backed_up: backedUp, last_used_at: q.fn.now() });
  return updated === 1;
}

/**
 * Marks a WebAuthn challenge used. True for the first caller; false when it was used already (a
 * replayed response), so a challenge answers one request even when several arrive at once.
 */
export async function consumeWebAuthnChallenge(challenge: string, expiresAt: Date, q: Executor = db): Promise<boolean> {
  const rows = await q("used_webauthn_challenges").insert({ challenge, expires_at: expiresAt }).onConflict("challenge").ignore().returning("challenge");
  return rows.length === 1;
}

/** Forgets used challenges past their expiry (they would be refused as expired anyway); returns how many. */
export function pruneUsedWebAuthnChallenges(q: Executor = db): Promise<number> {
  return q("used_webauthn_challenges").where("expires_at", "<", q.fn.now()).delete();
}
