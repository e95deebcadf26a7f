import type { Config } from "../config";

/** Who Gatehouse is to an authenticator: its name, RP ID and the one origin responses may come from. */
export interface RelyingParty {
  name: string;
  /** The host name of BASE_URL: credentials are bound to it by the authenticator. */
  id: string;
  /** The origin of BASE_URL, the only one a response's client data may name. */
  origin: string;
}

/**
 * The relying party from the configured public URL, never from the request's Host header: a
 * response signed for another site (or for our site reached under another name) is refused.
 */
export function relyingParty(config: Pick<Config, "baseUrl">): RelyingParty {
  const url = new URL(config.baseUrl);
  return { name: "Gatehouse", id: url.hostname, origin: url.origin };
}

/**
 * What every answer (registration or sign-in) is checked against: the challenge this session was
 * given, our origin and RP ID. User verification is not required by the library; callers decide
 * what a response without it is worth (one factor, like a password).
 */
export function expectedAnswer(config: Pick<Config, "baseUrl">, challenge: string) {
  const rp = relyingParty(config);
  return { expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: false };
}

/** How long a registration or sign-in challenge may be answered. */
export const WEBAUTHN_CHALLENGE_MS = 5 * 60 * 1000;
