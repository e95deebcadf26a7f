import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { after, before } from "node:test";
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
  /** Changes the signed assertion's email attribute after signing. */
  tamperEmail?: string;
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
    if (opts.tamperEmail) xml = xml.replace(/(<saml:Attribute Name="email"><saml:AttributeValue>)[^<]*/, `$1${xmlEscape(opts.tamperEmail)}`);
    return Buffer.from(xml).toString("base64");
  };
  return idp;
}

/** The person the served IdP signs in, changeable between tests. */
export interface SamlTestPerson {
  nameId: string;
  email: string;
  name: string;
}

/** What the served IdP read from one AuthnRequest a browser brought it. */
export interface SamlAuthnRequest {
  id: string;
  /** Our SP entity id (the request's Issuer), which the assertion's audience must be. */
  issuer: string;
  acsUrl: string;
}

/** The test IdP as a web server a browser walks through, like Okta's or Entra's sign-in pages. */
export interface ServedSamlIdp extends SamlTestIdp {
  /** Who the IdP's sign-in page signs in. */
  person: SamlTestPerson;
  /** Extra options for the responses the sign-in page issues (e.g. tampering after signing); reset per test by the caller. */
  answerWith: Omit<SamlResponseOptions, "inResponseTo" | "nameId" | "email" | "name">;
  /** The AuthnRequests browsers brought, oldest first. */
  requests: SamlAuthnRequest[];
  /** Every SAMLResponse (base64) the IdP handed a browser to post, oldest first. */
  issued: string[];
  /** A page of the IdP that posts issued response `index` to its ACS again, as someone who kept a copy would. */
  resendUrl(index: number): string;
}

const htmlEscape = (s: string) => xmlEscape(s).replace(/'/g, "&#39;");

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${htmlEscape(title)}</title></head>`
    + `<body style="font-family: sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem">${body}</body></html>`;
}

/**
 * The HTTP-POST binding's page: a form that carries the signed response to the service provider's
 * ACS, submitted by script as soon as it loads (with a button for browsers without), the way real
 * identity providers send the browser back.
 */
function postBindingPage(acsUrl: string, samlResponse: string, relayState: string | undefined): string {
  return page("Signing you in…", `<p>Signing you in…</p><form method="post" action="${htmlEscape(acsUrl)}">`
    + `<input type="hidden" name="SAMLResponse" value="${htmlEscape(samlResponse)}">`
    + (relayState ? `<input type="hidden" name="RelayState" value="${htmlEscape(relayState)}">` : "")
    + `<noscript><button type="submit">Continue</button></noscript></form>`
    + `<script>document.forms[0].submit()</script>`);
}

function readAuthnRequest(samlRequest: string): SamlAuthnRequest {
  const xml = zlib.inflateRawSync(Buffer.from(samlRequest, "base64")).toString();
  const attr = (name: string) => xml.match(new RegExp(`<(?:\\w+:)?AuthnRequest\\b[^>]*\\s${name}="([^"]+)"`))?.[1];
  const issuer = xml.match(/<(?:\w+:)?Issuer\b[^>]*>([^<]+)</)?.[1];
  const id = attr("ID");
  const acsUrl = attr("AssertionConsumerServiceURL");
  if (!id || !acsUrl || !issuer) throw new Error(`not an AuthnRequest with an ID, an ACS URL and an issuer: ${xml.slice(0, 300)}`);
  return { id, issuer, acsUrl: acsUrl.replace(/&amp;/g, "&") };
}

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

/**
 * useSamlIdp served over HTTP at http://localhost:<port>: its SSO URL (HTTP-Redirect binding)
 * reads our AuthnRequest and shows a sign-in page for `person`; pressing "Sign in" issues a signed
 * response answering that request and returns the HTTP-POST binding page that carries it to the
 * request's ACS URL. The host is "localhost" while the app is 127.0.0.1, so, as with a real IdP,
 * the post to our ACS is cross-site and arrives without our SameSite=Lax session cookie.
 */
export function useSamlIdpServer(): ServedSamlIdp {
  const idp = useSamlIdp() as ServedSamlIdp;
  idp.person = { nameId: "saml-user-1", email: "grace@acme.test", name: "Grace Hopper" };
  idp.answerWith = {};
  idp.requests = [];
  idp.issued = [];
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => {
      res.statusCode = 400;
      res.end(String(err));
    });
  });
  const pending = new Map<string, { request: SamlAuthnRequest; relayState?: string }>();

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", idp.ssoUrl);
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    if (req.method === "GET" && url.pathname === "/saml/sso") {
      const request = readAuthnRequest(url.searchParams.get("SAMLRequest") ?? "");
      idp.requests.push(request);
      const ticket = crypto.randomBytes(16).toString("hex");
      pending.set(ticket, { request, relayState: url.searchParams.get("RelayState") ?? undefined });
      res.end(page("Test identity provider", `<h1>Test identity provider</h1><p>Sign in to ${htmlEscape(request.issuer)} as ${htmlEscape(idp.person.name)} (${htmlEscape(idp.person.email)})?</p>`
        + `<form method="post" action="/saml/sso"><input type="hidden" name="ticket" value="${ticket}"><button type="submit">Sign in</button></form>`));
      return;
    }
    if (req.method === "POST" && url.pathname === "/saml/sso") {
      const ticket = (await formBody(req)).get("ticket") ?? "";
      const started = pending.get(ticket);
      if (!started) throw new Error("unknown sign-in ticket");
      pending.delete(ticket);
      const { request, relayState } = started;
      const response = idp.response(request.acsUrl, request.issuer, { ...idp.answerWith, inResponseTo: request.id, nameId: idp.person.nameId, email: idp.person.email, name: idp.person.name });
      idp.issued.push(response);
      res.end(postBindingPage(request.acsUrl, response, relayState));
      return;
    }
    const resend = /^\/saml\/resend\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && resend && idp.issued[Number(resend[1])]) {
      const response = idp.issued[Number(resend[1])]!;
      const acsUrl = Buffer.from(response, "base64").toString().match(/Destination="([^"]+)"/)![1]!.replace(/&amp;/g, "&");
      res.end(postBindingPage(acsUrl, response, undefined));
      return;
    }
    res.statusCode = 404;
    res.end(page("Not found", "<p>Not found</p>"));
  }

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    idp.entityId = `${origin}/saml`;
    idp.ssoUrl = `${origin}/saml/sso`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  idp.resendUrl = (index) => `${new URL(idp.ssoUrl).origin}/saml/resend/${index}`;
  return idp;
}
