import OAuth2Strategy, { InternalOAuthError, type StrategyOptions, type VerifyFunction } from "passport-oauth2";
import type { ProviderConfig } from "../../config";
import { configuredOrigin, deliverProfile, providerName, requireId, stateSessionKey, str, type ExternalProfile, type ProviderDefinition } from "./types";

/** Google's OpenID Connect userinfo claims (the ones we read). */
export interface GoogleUserInfo {
  sub: string;
  name?: string;
  given_name?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean | string;
}

/**
 * Maps Google's userinfo to a profile. `sub` is the stable id (an address can change hands); the
 * address counts only with `email_verified` true. Google has no username, so the address's local
 * part (or the given name) seeds one.
 */
export function mapGoogleProfile(info: GoogleUserInfo): ExternalProfile {
  const email = str(info.email);
  const verified = info.email_verified === true || info.email_verified === "true";
  return {
    provider: "google",
    id: requireId(info.sub, "Google"),
    username: providerName(email?.split("@")[0]) ?? providerName(info.given_name) ?? providerName(info.name) ?? "",
    displayName: providerName(info.name) ?? providerName(info.given_name) ?? "",
    avatarUrl: str(info.picture) ?? null,
    verifiedEmail: verified && email ? email : null,
  };
}

/**
 * Google through passport-oauth2 itself: the Google-specific packages are unmaintained (last
 * releases years ago) and add nothing but URL defaults, while passport-oauth2 is what the other
 * three strategies build on. This subclass only reads the OIDC userinfo endpoint.
 */
class GoogleStrategy extends OAuth2Strategy {
  constructor(
    options: StrategyOptions,
    private readonly userInfoURL: string,
    verify: VerifyFunction,
  ) {
    super(options, verify);
    this.name = "google";
    this._oauth2.useAuthorizationHeaderforGET(true);
  }

  userProfile(accessToken: string, done: (err: unknown, profile?: unknown) => void): void {
    this._oauth2.get(this.userInfoURL, accessToken, (err, body) => {
      if (err) return done(new InternalOAuthError("Failed to fetch user profile", err));
      try {
        done(null, { _json: JSON.parse(String(body)) });
      } catch {
        done(new Error("Failed to parse user profile"));
      }
    });
  }
}

/** Google accounts. GOOGLE_URL replaces accounts.google.com, oauth2.googleapis.com and openidconnect.googleapis.com. */
export const google: ProviderDefinition = {
  name: "google",
  label: "Google",
  authorizationOrigin: (config: ProviderConfig) => new URL(config.urls.GOOGLE_URL ?? "https://accounts.google.com").origin,
  avatarOrigins,
  createStrategy(config: ProviderConfig, callbackURL: string) {
    const base = config.urls.GOOGLE_URL;
    return new GoogleStrategy(
      {
        clientID: config.clientId,
        clientSecret: config.clientSecret,
        callbackURL,
        authorizationURL: `${base ?? "https://accounts.google.com"}/o/oauth2/v2/auth`,
        tokenURL: `${base ?? "https://oauth2.googleapis.com"}/token`,
        // openid + email + profile: the smallest set that gives sub, a verified flag and a name.
        scope: ["openid", "email", "profile"],
        state: true,
        pkce: true,
        sessionKey: stateSessionKey("google"),
      },
      `${base ?? "https://openidconnect.googleapis.com"}/v1/userinfo`,
      (_accessToken, _refreshToken, profile, done) => deliverProfile(() => mapGoogleProfile(profile._json as GoogleUserInfo), avatarOrigins(config), done),
    );
  },
};

/** Google's `picture` is on lh3 to lh6.googleusercontent.com; with GOOGLE_URL set (tests, emulators), that origin too. */
function avatarOrigins(config: ProviderConfig): string[] {
  return [3, 4, 5, 6].map((n) => `https://lh${n}.googleusercontent.com`).concat(configuredOrigin(config, "GOOGLE_URL"));
}
