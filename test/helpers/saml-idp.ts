import crypto from "node:crypto";
import { before } from "node:test";
import { generate } from "selfsigned";
import { SignedXml } from "xml-crypto";

/** How to build one SAML response (everything right unless told otherwise). */
export interface SamlResponseOptions {
  /** The AuthnRequest id being answered; omit for an unsolicited (IdP-initiated) response. */
  inResponseTo?: string;
  nameId?: string;
  email?: string;
  name?: string;
  audience?: string;
  recipient?: string;
  destination?: string;
  /** Seconds from now; defaults -60 and +300. */
  notBefore?: number;
  notOnOrAfter?: number;
  assertionId?: string;
  /** What gets signed: the assertion (default), only the outer response, or nothing. */
  sign?: "assertion" | "response" | "none";
  /** Changes the signed assertion's NameID after signing. */
  tamperNameId?: string;
  /** Signs with another key than the one the organization was configured with. */
  foreignKey?: boolean;
}

/** A test SAML identity provider: its settings for our form, and a builder of (good and bad) responses. */
export interface SamlTestIdp {
  entityId: string;
  ssoUrl: string;
  certificate: string;
  /** IdP metadata XML for the "paste metadata" path. */
  metadata(): string;
  /** A base64 SAMLResponse for our ACS `acsUrl` and SP entity id `audience`. */
  response(acsUrl: string, audience: string, opts?: SamlResponseOptions): string;
}

const DSIG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

const iso = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toISOString();
const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function sign(xml: string, key: string, element: "Assertion" | "Response"): string {
  const sig = new SignedXml({ privateKey: key, signatureAlgorithm: DSIG_RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
  const xpath = `//*[local-name(.)='${element}']`;
  sig.addReference({ xpath, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(xml, { location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: "after" } });
  return sig.getSignedXml();
}

/**
 * Registers a before hook that makes a self-signed certificate and returns the IdP, which builds
 * SAML 2.0 responses signed with xml-crypto, as Okta or Entra would, and the broken ones an
 * attacker would try: tampered, unsigned, expired, for another audience, unsolicited.
 */
export function useSamlIdp(): SamlTestIdp {
  const idp = { entityId: "https://idp.acme.test/saml", ssoUrl: "https://idp.acme.test/saml/sso" } as SamlTestIdp;
  let key = "";
  let otherKey = "";
  before(async () => {
    const pems = await generate([{ name: "commonName", value: "idp.acme.test" }], { keySize: 2048, algorithm: "sha256" });
    key = pems.private;
    idp.certificate = pems.cert;
    otherKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  });
  idp.metadata = () => {
    const body = idp.certificate.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${idp.entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${idp.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  };
  idp.response = (acsUrl, audience, opts = {}) => {
    const assertionId = opts.assertionId ?? `_a${crypto.randomBytes(16).toString("hex")}`;
    const irt = opts.inResponseTo ? ` InResponseTo="${xmlEscape(opts.inResponseTo)}"` : "";
    const notBefore = iso(opts.notBefore ?? -60);
    const notOnOrAfter = iso(opts.notOnOrAfter ?? 300);
    const email = opts.email ?? "grace@acme.test";
    const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(0)}">`
      + `<saml:Issuer>${idp.entityId}</saml:Issuer>`
      + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${xmlEscape(opts.nameId ?? "saml-user-1")}</saml:NameID>`
      + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${notOnOrAfter}" Recipient="${xmlEscape(opts.recipient ?? acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>`
      + `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${xmlEscape(opts.audience ?? audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
      + `<saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
      + `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>${xmlEscape(email)}</saml:AttributeValue></saml:Attribute>`
      + `<saml:Attribute Name="name"><saml:AttributeValue>${xmlEscape(opts.name ?? "Grace Hopper")}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>`
      + `</saml:Assertion>`;
    const signingKey = opts.foreignKey ? otherKey : key;
    const signedAssertion = (opts.sign ?? "assertion") === "assertion" ? sign(assertion, signingKey, "Assertion") : assertion;
    let xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r${crypto.randomBytes(16).toString("hex")}" Version="2.0" IssueInstant="${iso(0)}" Destination="${xmlEscape(opts.destination ?? acsUrl)}"${irt}>`
      + `<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${idp.entityId}</saml:Issuer>`
      + `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`
      + signedAssertion + `</samlp:Response>`;
    if (opts.sign === "response") xml = sign(xml, signingKey, "Response");
    if (opts.tamperNameId) xml = xml.replace(/(<saml:NameID[^>]*>)[^<]*/, `$1${xmlEscape(opts.tamperNameId)}`);
    return Buffer.from(xml).toString("base64");
  };
  return idp;
}
