import type { Strategy } from "passport-strategy";
import type { ProviderConfig, ProviderName } from "../../config";
import { cleanName } from "../../lib/display-text";

/**
 * What Gatehouse keeps of a person at an external provider, whatever the provider. `verifiedEmail`
 * is set only when the provider itself says the address is verified: an unverified provider email
 * never counts for anything (the non-verifying IdP attack).
 */
export interface ExternalProfile {
  /** A provider's name, or `sso:<organization id>` for an organization's identity provider (services/sso-sign-in.ts). */
  provider: ProviderName | `sso:${number}`;
  /** The provider's immutable user id: the only thing an identity is matched by. */
  id: string;
  /** The account name at the provider (login, nickname), shown in settings and used for a new username. */
  username: string;
  displayName: string;
  avatarUrl: string | null;
  verifiedEmail: string | null;
}

/** One external provider: how to build its Passport strategy and how to read its profile. */
export interface ProviderDefinition {
  name: ProviderName;
  /** Shown on buttons and in settings ("Continue with GitHub"). */
  label: string;
  /**
   * The Passport strategy. `state` is always on (kept in the session, checked and deleted at the
   * callback), PKCE where the provider supports it, minimal scopes, and the verify step only turns
   * the provider's answer into an ExternalProfile: the access token is dropped there, never stored.
   */
  createStrategy(config: ProviderConfig, callbackURL: string): Strategy;
  /** The origin of the provider's authorization page (sign-in buttons post, then redirect there). */
  authorizationOrigin(config: ProviderConfig): string;
  /**
   * The origins the provider serves profile pictures from: its documented https image hosts, and
   * the origin of a base URL the operator configured (GitHub Enterprise Server and self-managed
   * GitLab serve avatars from their own host; so do the local emulators). The CSP's img-src lists
   * exactly these, and acceptedAvatarUrl keeps only avatar URLs on them.
   */
  avatarOrigins(config: ProviderConfig): string[];
}

/** The shape a strategy's verify callback hands on: the profile, or an error for a malformed answer. */
export type ProfileDone = (err: unknown, profile?: ExternalProfile) => void;

/**
 * Runs a profile mapper inside a verify callback: a malformed provider answer becomes an error, not
 * a crash. The avatar URL is kept only when it is on one of `avatarOrigins` (acceptedAvatarUrl).
 */
export function deliverProfile(map: () => ExternalProfile, avatarOrigins: readonly string[], done: ProfileDone): void {
  let profile: ExternalProfile;
  try {
    profile = map();
  } catch (err) {
    return done(err);
  }
  done(null, { ...profile, avatarUrl: acceptedAvatarUrl(profile.avatarUrl, avatarOrigins) });
}

/** Longer avatar URLs than this are not kept (the providers' are well under 300 characters). */
const AVATAR_URL_MAX = 2048;

/**
 * The provider's avatar URL when it may be shown, else null. The browser loads it on our pages, so
 * only an absolute URL on one of the provider's avatar origins passes: https hosts the provider
 * documents, or the base URL the operator configured. Anything else (plain http on a public host,
 * another host, javascript: or data: URLs, credentials in the URL) is dropped and the initials show:
 * a provider profile field is not ours to trust, and a mixed-content or third-party image would
 * leak who looks at the page.
 */
export function acceptedAvatarUrl(value: string | null, avatarOrigins: readonly string[]): string | null {
  if (!value || value.length > AVATAR_URL_MAX) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  return avatarOrigins.includes(url.origin) ? url.href : null;
}

/** The origin of a configured base-URL override, as a list (empty when the variable is unset). */
export function configuredOrigin(config: ProviderConfig, variable: string): string[] {
  const value = config.urls[variable];
  return value ? [new URL(value).origin] : [];
}

/** A string field of a provider's JSON, or undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * A name field of a provider's JSON (account name, display name), cleaned by the display-name
 * character rule, or undefined when nothing is left. Cleaned rather than refused: the person did not
 * type it here, and a bidi override in a GitHub name must not stop them signing in. It is cleaned at
 * the mapping, so everything downstream (a new account's display name, the identity's account name
 * in settings, security mail) only ever sees the clean name.
 */
export function providerName(value: unknown): string | undefined {
  const raw = str(value);
  return raw === undefined ? undefined : cleanName(raw) || undefined;
}

/** Throws when the provider's answer lacks its user id; nothing may be keyed by an empty id. */
export function requireId(value: unknown, provider: string): string {
  const id = str(value);
  if (!id) throw new Error(`${provider} returned a profile without a user id`);
  return id;
}

/** The session key for a provider's OAuth state; one per provider so parallel flows cannot clash. */
export function stateSessionKey(name: ProviderName): string {
  return `oauth2:${name}`;
}
