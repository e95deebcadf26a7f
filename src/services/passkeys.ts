import crypto from "node:crypto";
import { z } from "zod";
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { Config } from "../config";
import { db } from "../db/knex";
import { lockUserForIdentityChange } from "../db/identities";
import {
  consumeWebAuthnChallenge, deletePasskeyForUser, findPasskeyByCredentialId, insertPasskey, listPasskeysForUser, renamePasskeyForUser, type PasskeyRow,
} from "../db/passkeys";
import type { UserRow } from "../db/users";
import { isUniqueViolation } from "../lib/errors";
import { nameSchema } from "../lib/display-text";
import { countSignInMethods, isLastSignInMethod } from "./identities";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";
import { expectedAnswer, relyingParty, WEBAUTHN_CHALLENGE_MS } from "./webauthn-relying-party";

/** A passkey's name, as the owner types it (shown in their list and in the security log). */
export const passkeyNameSchema = nameSchema(64, "Give this passkey a name, like “Work laptop” or “Blue security key”.");

/** An authenticator's response as the browser script posts it: JSON text, parsed and checked later. */
export const webAuthnResponseField = z
  .string({ error: "Your browser did not send a passkey. Passkeys need JavaScript to be turned on." })
  .min(1, "Your browser did not send a passkey. Passkeys need JavaScript to be turned on.")
  .max(16_000, "That passkey response is too large.");

/** A challenge handed to the browser, to be kept (in the session) until its answer comes back. */
export interface IssuedChallenge {
  challenge: string;
  expiresAt: number;
  /** For a registration: the user handle the options gave the authenticator (base64url). */
  userHandle?: string;
}

/**
 * Options for navigator.credentials.create(): our relying party, the user's random handle (the same
 * for all their passkeys, so an authenticator keeps one credential per account), and their existing
 * credentials excluded so the same authenticator is not registered twice. A resident (discoverable)
 * key is preferred, which is what sign-in without a username needs; user verification is preferred,
 * not required, so a security key without a PIN can still be registered (it then serves only as a
 * first factor, see passkey-sign-in.ts).
 */
export async function beginPasskeyRegistration(config: Pick<Config, "baseUrl">, user: UserRow): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; issued: IssuedChallenge }> {
  const rp = relyingParty(config);
  const existing = await listPasskeysForUser(user.id);
  const handle = existing[0]?.user_handle ?? crypto.randomBytes(32).toString("base64url");
  // Loaded on first use (await import): the WebAuthn library and its ASN.1 and X.509 dependencies hold
  // about 16 MB that most requests, and most processes for hours, never need.
  const { generateRegistrationOptions } = await import("@simplewebauthn/server");
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: user.display_name || user.username,
    userID: Buffer.from(handle, "base64url"),
    timeout: WEBAUTHN_CHALLENGE_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  return { options, issued: { challenge: options.challenge, expiresAt: Date.now() + WEBAUTHN_CHALLENGE_MS, userHandle: handle } };
}

export type RegistrationResult = { ok: true; passkey: PasskeyRow } | { ok: false; message: string };

const REGISTRATION_FAILED = "That passkey could not be added. Please try again.";

/**
 * Checks an authenticator's registration response against the challenge this session was given
 * (single use: marked used in the database first, so a replayed or racing response is refused),
 * our origin and RP ID from BASE_URL, and stores the credential with its name. A credential already
 * registered (to this or another account) is refused: a credential id must lead to one account.
 */
export async function finishPasskeyRegistration(
  config: Pick<Config, "baseUrl">,
  user: UserRow,
  input: { name: string; response: string; issued: IssuedChallenge | undefined },
  meta: RequestMeta,
): Promise<RegistrationResult> {
  const { issued } = input;
  if (!issued?.userHandle || issued.expiresAt < Date.now()) return { ok: false, message: "That took too long. Please try adding the passkey again." };
  const response = parseJson<RegistrationResponseJSON>(input.response);
  if (!response) return { ok: false, message: REGISTRATION_FAILED };
  let verified;
  try {
    const { verifyRegistrationResponse } = await import("@simplewebauthn/server");
    verified = await verifyRegistrationResponse({ response, ...expectedAnswer(config, issued.challenge) });
  } catch {
    return { ok: false, message: REGISTRATION_FAILED };
  }
  if (!verified.verified) return { ok: false, message: REGISTRATION_FAILED };
  const info = verified.registrationInfo;
  if (await findPasskeyByCredentialId(info.credential.id)) return { ok: false, message: "This passkey is already registered." };
  const userHandle = issued.userHandle;
  try {
    const passkey = await db.transaction(async (trx) => {
      if (!(await consumeWebAuthnChallenge(issued.challenge, new Date(issued.expiresAt), trx))) throw new ChallengeUsed();
      const row = await insertPasskey({
        user_id: user.id,
        name: input.name,
        credential_id: info.credential.id,
        public_key: Buffer.from(info.credential.publicKey),
        counter: info.credential.counter,
        transports: info.credential.transports ?? [],
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp,
        user_handle: userHandle,
      }, trx);
      await recordSecurityEvent(user.id, "passkey.added", meta, { passkey_id: row.id, name: row.name }, trx);
      return row;
    });
    return { ok: true, passkey };
  } catch (err) {
    if (err instanceof ChallengeUsed) return { ok: false, message: "That passkey response was already used. Please try again." };
    if (isUniqueViolation(err, "passkeys_credential_id_unique")) return { ok: false, message: "This passkey is already registered." };
    throw err;
  }
}

/** Renames one of the user's passkeys; false when the id is not one of theirs. */
export async function renamePasskey(userId: number, id: number, name: string, meta: RequestMeta): Promise<boolean> {
  return db.transaction(async (trx) => {
    const row = await renamePasskeyForUser(userId, id, name, trx);
    if (!row) return false;
    await recordSecurityEvent(userId, "passkey.renamed", meta, { passkey_id: row.id, name: row.name }, trx);
    return true;
  });
}

/** What a removal led to. */
export type RemovePasskeyOutcome = { kind: "removed"; name: string } | { kind: "not_found" } | { kind: "last_method" };

/**
 * Removes one of the user's passkeys, unless it is the last way to sign in (no password, no
 * identity, no other passkey): the same guard as disconnecting an identity, under the same lock on
 * the user's row, so a passkey removal and an identity unlink racing each other cannot together
 * leave the account with no way in.
 */
export async function removePasskey(userId: number, id: number, meta: RequestMeta): Promise<RemovePasskeyOutcome> {
  return db.transaction(async (trx): Promise<RemovePasskeyOutcome> => {
    const locked = await lockUserForIdentityChange(userId, trx);
    if (!locked) return { kind: "not_found" };
    const rows = await listPasskeysForUser(userId, trx);
    if (!rows.some((p) => p.id === id)) return { kind: "not_found" };
    if (isLastSignInMethod(!!locked.password_hash, await countSignInMethods(userId, trx))) return { kind: "last_method" };
    const removed = await deletePasskeyForUser(userId, id, trx);
    if (!removed) return { kind: "not_found" };
    await recordSecurityEvent(userId, "passkey.removed", meta, { passkey_id: removed.id, name: removed.name }, trx);
    return { kind: "removed", name: removed.name };
  });
}

/** JSON text parsed as an object, or undefined. */
export function parseJson<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Rolls a registration back when its challenge turned out to be used already. */
class ChallengeUsed extends Error {}
