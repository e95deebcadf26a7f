import * as client from "openid-client";
import type { SsoProviderRow } from "../../db/organization-sso";
import type { SecretBox } from "../../auth/secret-box";
import { assertPublicUrl, outboundFetch } from "./outbound";
import { localPart, type SsoProfile } from "./profile";

/**
 * OpenID Connect relying party for organizations' identity providers, on openid-client: the
 * authorization code flow with PKCE (S256), `state` and `nonce`, all three kept in the browser's
 * session and checked at the callback; openid-client validates the ID token (signature from the
 * issuer's JWKS, iss, aud, exp, iat, nonce). An address counts only with email_verified true.
 */

/**
 * Options for talking to an issuer: plain http only outside production (local test providers), and
 * private network addresses only where the operator allows them (src/services/sso/outbound.ts).
 */
export interface OidcTransport {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
}

/** What the browser's session keeps between the redirect to the issuer and the callback. */
export interface OidcChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Fetches and checks the issuer's discovery document; throws with the library's reason. */
export async function discoverIssuer(issuer: string, clientId: string, clientSecret: string, transport: OidcTransport): Promise<Record<string, unknown>> {
  // Checked first for a clear reason (openid-client reports a refusal of its fetch only as "something went wrong").
  if (!transport.allowPrivateNetworks) await assertPublicUrl(new URL(issuer));
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
    execute: transport.allowHttp ? [client.allowInsecureRequests] : [],
    timeout: 10,
    // The discovery request itself; the configuration it returns gets the same fetch below.
    [client.customFetch]: outboundFetch(transport.allowPrivateNetworks),
  });
  return { ...config.serverMetadata() };
}

function configurationFor(row: SsoProviderRow, box: SecretBox, transport: OidcTransport): client.Configuration {
  const secret = box.open(row.oidc_client_secret_sealed!);
  if (secret === undefined) throw new Error("The OIDC client secret cannot be read (SESSION_SECRET changed?)");
  const config = new client.Configuration(row.oidc_metadata as unknown as client.ServerMetadata, row.oidc_client_id!, secret);
  if (transport.allowHttp) client.allowInsecureRequests(config);
  // Token, JWKS and userinfo endpoints come from the issuer's document: the owner's choice too.
  config[client.customFetch] = outboundFetch(transport.allowPrivateNetworks);
  return config;
}

/** The issuer's authorization URL for a new flow, and the checks to keep for its callback. */
export async function startOidc(row: SsoProviderRow, box: SecretBox, transport: OidcTransport, redirectUri: string): Promise<{ url: string; checks: OidcChecks }> {
  const config = configurationFor(row, box, transport);
  const checks = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile",
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: "S256",
    state: checks.state,
    nonce: checks.nonce,
  });
  return { url: url.href, checks };
}

/**
 * Exchanges the code the browser brought back (in `callbackUrl`) after checking its state, and
 * returns who signed in. Throws on any mismatch (state, nonce, PKCE, a bad or reused code).
 */
export async function finishOidc(row: SsoProviderRow, box: SecretBox, transport: OidcTransport, callbackUrl: URL, checks: OidcChecks): Promise<SsoProfile> {
  const config = configurationFor(row, box, transport);
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const idToken = tokens.claims()!;
  // Many issuers put email and name only in the UserInfo answer for the code flow; openid-client
  // checks that its subject is the ID token's.
  const claims: Record<string, unknown> = typeof idToken.email === "string" ? idToken : { ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
  // Only an address the issuer marks verified counts (the non-verifying IdP attack).
  const email = claims.email_verified === true && typeof claims.email === "string" ? claims.email : null;
  const name = typeof claims.name === "string" ? claims.name : "";
  const preferred = typeof claims.preferred_username === "string" ? claims.preferred_username : "";
  return { subject: idToken.sub, verifiedEmail: email, displayName: name || localPart(email), username: localPart(email) || preferred || name };
}
