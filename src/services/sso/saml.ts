import type { CacheProvider, Profile, SAML } from "@node-saml/node-saml";
import { DOMParser } from "@xmldom/xmldom";
import { ASSERTION_REPLAY_KEY, insertSsoAssertion, type SsoProviderRow } from "../../db/organization-sso";
import { isUniqueViolation } from "../../lib/errors";
import { localPart, type SsoProfile } from "./profile";
import { ssoUrls } from "./urls";

/**
 * SAML 2.0 service provider for organizations' identity providers, on node-saml, with every check
 * on: the assertion must be signed by the IdP's certificate (wantAssertionsSigned; a signed
 * response around an unsigned assertion is not enough), its audience must be our SP entity id, its
 * NotBefore/NotOnOrAfter hold with one minute of clock skew, its InResponseTo must name the request
 * this browser's session started (so unsolicited, IdP-initiated responses are refused), and the
 * Recipient and Destination must be our ACS URL, which node-saml does not check, so we do. An
 * assertion id is accepted once: it is stored until it expires under a unique key, so a replay —
 * even two posts racing — fails in the database.
 */

/** How far clocks may disagree. */
const CLOCK_SKEW_MS = 60_000;
/** How long a started SAML sign-in may wait for its response. */
const REQUEST_MAX_AGE_MS = 15 * 60_000;

const EMAIL_ATTRIBUTES = ["email", "mail", "emailaddress", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "urn:oid:0.9.2342.19200300.100.1.3"];
const NAME_ATTRIBUTES = ["name", "displayname", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "http://schemas.microsoft.com/identity/claims/displayname", "urn:oid:2.16.840.1.113730.3.1.241"];

/** Why a SAML response was refused: `message` in words for the page, `detail` as the library said it, for the log. */
export class SamlRefused extends Error {
  constructor(message: string, readonly detail: string = message) {
    super(message);
  }
}

/**
 * node-saml's reasons are written for developers ("InResponseTo is not valid", "Invalid signature",
 * some quoting our settings back), without a full stop; the person on the refusal page gets a
 * sentence about what went wrong instead, and the log keeps the library's words.
 */
function plainReason(libraryMessage: string): string {
  if (/signature/i.test(libraryMessage)) return "It was not signed by the organization’s identity provider, or it was changed after signing.";
  if (/InResponseTo/i.test(libraryMessage)) return "It does not answer the sign-in started in this browser.";
  if (/not yet valid/i.test(libraryMessage)) return "It is not valid yet: a clock may be wrong.";
  // A subject confirmation is rejected when its NotOnOrAfter has passed (the bearer method is the other cause).
  if (/expired|subject confirmation/i.test(libraryMessage)) return "It has expired: it took too long to arrive, or a clock is wrong.";
  if (/audience/i.test(libraryMessage)) return "It was made for another service.";
  if (/issuer/i.test(libraryMessage)) return "It comes from another identity provider than the one set up for this organization.";
  if (/status code/i.test(libraryMessage)) return "The identity provider did not sign you in.";
  return "It could not be read as a SAML response.";
}

/** A cache provider that holds only the one request id this browser's session started (and when, which node-saml ages). */
function sessionCache(expected: { id: string; startedAt: number } | undefined, saved: (id: string) => void): CacheProvider {
  return {
    saveAsync: async (key, value) => {
      saved(key);
      return { value, createdAt: Date.now() };
    },
    getAsync: async (key) => (expected !== undefined && key === expected.id ? new Date(expected.startedAt).toISOString() : null),
    removeAsync: async (key) => key,
  };
}

async function samlFor(baseUrl: string, row: SsoProviderRow, cache: CacheProvider): Promise<SAML> {
  // Loaded on first use (await import): node-saml and its XML stack hold about 15 MB that only
  // organizations with SAML ever need.
  const { SAML, ValidateInResponseTo } = await import("@node-saml/node-saml");
  const urls = ssoUrls(baseUrl, row.organization_id);
  return new SAML({
    callbackUrl: urls.acsUrl,
    entryPoint: row.saml_sso_url!,
    issuer: urls.spEntityId,
    audience: urls.spEntityId,
    idpCert: row.saml_certificate!,
    idpIssuer: row.saml_entity_id!,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_MAX_AGE_MS,
    identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    disableRequestedAuthnContext: true,
    cacheProvider: cache,
  });
}

/** The IdP's URL for a new sign-in (HTTP-Redirect binding) and the request id the response must answer. */
export async function startSaml(baseUrl: string, row: SsoProviderRow): Promise<{ url: string; requestId: string }> {
  let requestId = "";
  const saml = await samlFor(baseUrl, row, sessionCache(undefined, (id) => (requestId = id)));
  const url = await saml.getAuthorizeUrlAsync("", undefined, {});
  return { url, requestId };
}

/** Our SP metadata XML, for the IdP's administrators. */
export async function spMetadata(baseUrl: string, row: SsoProviderRow): Promise<string> {
  return (await samlFor(baseUrl, row, sessionCache(undefined, () => undefined))).generateServiceProviderMetadata(null, null);
}

function attribute(profile: Profile, names: string[]): string {
  const attrs = (profile.attributes ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(attrs)) {
    if (!names.includes(key.toLowerCase()) && !names.includes(key)) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string" && first) return first;
  }
  return "";
}

/** The Destination of the outer Response element (signed or not: we check it either way). */
function responseDestination(responseXml: string): string | null {
  const doc = new DOMParser({ errorHandler: () => undefined }).parseFromString(responseXml, "text/xml");
  return doc.documentElement?.getAttribute("Destination") || null;
}

/**
 * Validates a posted SAMLResponse against the request id this browser started and records its
 * assertion id; returns who signed in or throws SamlRefused.
 */
export async function finishSaml(baseUrl: string, row: SsoProviderRow, samlResponse: string, request: { id: string; startedAt: number }): Promise<SsoProfile> {
  const urls = ssoUrls(baseUrl, row.organization_id);
  const saml = await samlFor(baseUrl, row, sessionCache(request, () => undefined));
  let profile: Profile | null;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (err) {
    throw new SamlRefused(plainReason((err as Error).message), (err as Error).message);
  }
  if (!profile?.nameID) throw new SamlRefused("The response names nobody (no NameID).");
  const assertion = (profile.getAssertion?.() as { Assertion?: AssertionXml })?.Assertion;
  const confirmation = assertion?.Subject?.[0]?.SubjectConfirmation?.[0]?.SubjectConfirmationData?.[0]?.$;
  // Recipient and Destination say where the IdP meant the assertion to go: an assertion made for
  // another service provider's ACS must not be usable here.
  if (confirmation?.Recipient !== urls.acsUrl) throw new SamlRefused("The assertion was made for another recipient.");
  const destination = responseDestination(profile.getSamlResponseXml?.() ?? "");
  if (destination && destination !== urls.acsUrl) throw new SamlRefused("The response was sent to another destination.");
  const assertionId = assertion?.$?.ID;
  if (!assertionId) throw new SamlRefused("The assertion has no id.");
  const notOnOrAfter = assertion?.Conditions?.[0]?.$?.NotOnOrAfter ?? confirmation?.NotOnOrAfter;
  const expiresAt = new Date((notOnOrAfter ? Date.parse(notOnOrAfter) : Date.now() + REQUEST_MAX_AGE_MS) + CLOCK_SKEW_MS);
  try {
    await insertSsoAssertion(row.organization_id, assertionId, expiresAt);
  } catch (err) {
    if (isUniqueViolation(err, ASSERTION_REPLAY_KEY)) throw new SamlRefused("This assertion was already used.");
    throw err;
  }
  const email = attribute(profile, EMAIL_ATTRIBUTES) || (profile.nameIDFormat?.endsWith(":emailAddress") ? profile.nameID : "");
  const name = attribute(profile, NAME_ATTRIBUTES);
  // The assertion is signed by the organization's own IdP: the address in it is the IdP's word.
  return { subject: profile.nameID, verifiedEmail: email || null, displayName: name || localPart(email || null), username: localPart(email || null) || name };
}

interface AssertionXml {
  $?: { ID?: string };
  Subject?: { SubjectConfirmation?: { SubjectConfirmationData?: { $?: { Recipient?: string; NotOnOrAfter?: string } }[] }[] }[];
  Conditions?: { $?: { NotOnOrAfter?: string } }[];
}
