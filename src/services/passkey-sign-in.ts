import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import type { Config } from "../config";
import { db } from "../db/knex";
import { consumeWebAuthnChallenge, findPasskeyByCredentialId, listPasskeysForUser, recordPasskeyUse } from "../db/passkeys";
import { findUserById, type UserRow } from "../db/users";
import { parseJson, type IssuedChallenge } from "./passkeys";
import type { RequestMeta } from "./request-meta";
import { signIns } from "../metrics/registry";
import { recordSecurityEvent } from "./security-log";
import { expectedAnswer, relyingParty, WEBAUTHN_CHALLENGE_MS } from "./webauthn-relying-party";

/**
 * Sign-in with a passkey, without a username. The decision tree:
 *
 * 1. The challenge this session was given must exist, be under 5 minutes old, and not have been
 *    used: it is marked used in the database before anything else, so a replayed response, or the
 *    same response sent twice at once, is refused whatever the outcome of the first.
 * 2. The response names its credential; an unknown (or removed) credential is refused, and so is
 *    another user's when the caller names the user (a second step). The user handle the
 *    authenticator returns, when it returns one, must be the credential's own.
 * 3. The signature must verify with that credential's public key, over client data naming our
 *    challenge, our origin and our RP ID (from BASE_URL), with the user present.
 * 4. The signature counter must have moved forward, unless the authenticator keeps none (0 both
 *    times). A counter that did not is what a cloned authenticator looks like (WebAuthn §6.1.1): the
 *    response is refused and the owner's security log records it. The counter is advanced in the
 *    same statement that checks it, so two responses with the same counter cannot both pass.
 * 5. Verified: with user verification (PIN, biometrics) it is a full sign-in; without it, the
 *    passkey proved only possession, a first factor, and `secondFactorRequired` says so.
 *
 * Failures on a known credential are recorded in its owner's security log as failed sign-ins.
 */

/**
 * Options for navigator.credentials.get(). Without `forUserId` there is no allowed list (the
 * authenticator offers its discoverable passkeys: sign-in without a username). With it, the
 * options list that user's credentials, for a passkey used as the second step of a sign-in whose
 * first step already named the account (then pass the same id to verifyPasskeySignIn).
 */
export async function beginPasskeySignIn(config: Pick<Config, "baseUrl">, forUserId?: number): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; issued: IssuedChallenge }> {
  const allowCredentials = forUserId === undefined ? undefined : (await listPasskeysForUser(forUserId)).map((p) => ({ id: p.credential_id, transports: p.transports }));
  // Loaded on first use (await import): the WebAuthn library and its ASN.1 and X.509 dependencies hold
  // about 16 MB that most requests, and most processes for hours, never need.
  const { generateAuthenticationOptions } = await import("@simplewebauthn/server");
  const options = await generateAuthenticationOptions({ rpID: relyingParty(config).id, userVerification: "preferred", timeout: WEBAUTHN_CHALLENGE_MS, allowCredentials });
  return { options, issued: { challenge: options.challenge, expiresAt: Date.now() + WEBAUTHN_CHALLENGE_MS } };
}

/** What a passkey sign-in attempt led to. */
export type PasskeySignInResult =
  /** Verified. `secondFactorRequired` when the authenticator did not verify the user (possession only). */
  | { ok: true; user: UserRow; passkeyId: number; secondFactorRequired: boolean }
  | { ok: false; reason: "expired" | "replayed" | "unknown_credential" | "invalid" | "counter"; message: string };

const NOT_ACCEPTED = "That passkey was not accepted. Try again, or sign in with your password.";

/** Checks a passkey sign-in response (see the decision tree at the top of this module). */
export async function verifyPasskeySignIn(
  config: Pick<Config, "baseUrl">,
  input: { response: string; issued: IssuedChallenge | undefined; /** Only this user's passkeys count (a second step). */ userId?: number },
  meta: RequestMeta,
): Promise<PasskeySignInResult> {
  const { issued } = input;
  if (!issued || issued.expiresAt < Date.now()) return { ok: false, reason: "expired", message: "That took too long. Please try the passkey again." };
  if (!(await consumeWebAuthnChallenge(issued.challenge, new Date(issued.expiresAt)))) {
    return { ok: false, reason: "replayed", message: NOT_ACCEPTED };
  }
  const response = parseJson<AuthenticationResponseJSON>(input.response);
  const credentialId = typeof response?.id === "string" ? response.id : undefined;
  const passkey = credentialId ? await findPasskeyByCredentialId(credentialId) : undefined;
  if (!response || !passkey || (input.userId !== undefined && passkey.user_id !== input.userId)) {
    return { ok: false, reason: "unknown_credential", message: "This passkey is not registered with Gatehouse. It may have been removed." };
  }

  const failed = async (reason: "invalid" | "counter", details: Record<string, unknown> = {}): Promise<PasskeySignInResult> => {
    signIns.inc({ method: "passkey", result: "failure" });
    await recordSecurityEvent(passkey.user_id, reason === "counter" ? "passkey.clone_suspected" : "sign_in.failed", meta, { method: "passkey", passkey_id: passkey.id, name: passkey.name, ...details });
    return { ok: false, reason, message: NOT_ACCEPTED };
  };
  const userHandle = response.response?.userHandle;
  if (userHandle !== undefined && userHandle !== passkey.user_handle) return failed("invalid");

  let verified;
  try {
    const { verifyAuthenticationResponse } = await import("@simplewebauthn/server");
    verified = await verifyAuthenticationResponse({
      response,
      ...expectedAnswer(config, issued.challenge),
      // The counter rule is ours (step 4), applied after the signature is known to be good.
      credential: { id: passkey.credential_id, publicKey: new Uint8Array(passkey.public_key), counter: 0, transports: passkey.transports },
    });
  } catch {
    return failed("invalid");
  }
  if (!verified.verified) return failed("invalid");
  const info = verified.authenticationInfo;
  const stored = Number(passkey.counter);
  if ((info.newCounter > 0 || stored > 0) && info.newCounter <= stored) return failed("counter", { counter: info.newCounter, expected_above: stored });
  if (!(await recordPasskeyUse(passkey.id, stored, info.newCounter, info.credentialBackedUp, db))) return failed("counter", { counter: info.newCounter });
  const user = await findUserById(passkey.user_id);
  if (!user) return { ok: false, reason: "unknown_credential", message: NOT_ACCEPTED };
  return { ok: true, user, passkeyId: passkey.id, secondFactorRequired: !info.userVerified };
}
