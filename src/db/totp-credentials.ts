import { db, type Executor } from "./knex";

/** A user's TOTP authenticator (at most one); enabled_at NULL while its set-up is unconfirmed. */
export interface TotpCredentialRow {
  user_id: number;
  /** Sealed by src/auth/secret-box.ts; never logged, exported or shown again after set-up. */
  secret_encrypted: string;
  last_used_step: number | null;
  created_at: Date;
  enabled_at: Date | null;
}

/** The user's TOTP credential, enabled or in set-up, or undefined. */
export function findTotpCredentialForUser(userId: number, q: Executor = db): Promise<TotpCredentialRow | undefined> {
  return q<TotpCredentialRow>("totp_credentials").where({ user_id: userId }).first();
}

/** Whether the user has two-factor authentication on (an enabled TOTP credential). */
export async function hasTwoFactorEnabled(userId: number, q: Executor = db): Promise<boolean> {
  const row = await q("totp_credentials").where({ user_id: userId }).whereNotNull("enabled_at").first("user_id");
  return Boolean(row);
}

/**
 * Starts (or restarts) a set-up with a new sealed secret. An enabled credential is left alone: it is
 * replaced only by disabling first. False when the user already has one enabled.
 */
export async function startTotpSetupForUser(userId: number, secretEncrypted: string, q: Executor = db): Promise<boolean> {
  const { rows } = await q.raw<{ rows: unknown[] }>(
    `INSERT INTO totp_credentials (user_id, secret_encrypted) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET secret_encrypted = excluded.secret_encrypted, created_at = now(), last_used_step = NULL
     WHERE totp_credentials.enabled_at IS NULL
     RETURNING user_id`,
    [userId, secretEncrypted],
  );
  return rows.length === 1;
}

/**
 * Enables the set-up whose secret the user just proved with a code of `step`; false when it was
 * enabled, replaced or removed meanwhile (the sealed secret must still be the one checked).
 */
export async function enableTotpForUser(userId: number, secretEncrypted: string, step: number, q: Executor = db): Promise<boolean> {
  const updated = await q("totp_credentials")
    .where({ user_id: userId, secret_encrypted: secretEncrypted })
    .whereNull("enabled_at")
    .update({ enabled_at: q.fn.now(), last_used_step: step });
  return updated === 1;
}

/**
 * Records that a code of time step `step` was accepted, only if no code of that step or a later one
 * was accepted before. One conditional UPDATE: of two requests with the same code at the same
 * moment, exactly one gets true.
 */
export async function claimTotpStepForUser(userId: number, step: number, q: Executor = db): Promise<boolean> {
  const updated = await q("totp_credentials")
    .where({ user_id: userId })
    .whereNotNull("enabled_at")
    .where((w) => w.whereNull("last_used_step").orWhere("last_used_step", "<", step))
    .update({ last_used_step: step });
  return updated === 1;
}

/** Removes the user's TOTP credential (disabling two-factor); true when there was one. */
export async function deleteTotpCredentialForUser(userId: number, q: Executor = db): Promise<boolean> {
  return (await q("totp_credentials").where({ user_id: userId }).delete()) > 0;
}
