import crypto from "node:crypto";
import { DOMParser } from "@xmldom/xmldom";

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

/** What we need of a SAML identity provider. */
export interface SamlIdpSettings {
  entityId: string;
  ssoUrl: string;
  /** PEM. */
  certificate: string;
}

/**
 * Reads an IdP's metadata XML: its entity id, its HTTP-Redirect single sign-on URL and its
 * signing certificate. Returns a sentence saying what is missing instead of throwing.
 */
export function parseIdpMetadata(xml: string): { ok: true; idp: SamlIdpSettings } | { ok: false; error: string } {
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: () => undefined }).parseFromString(xml, "text/xml") as unknown as Document;
  } catch {
    return { ok: false, error: "This is not readable XML metadata." };
  }
  const entity = doc?.getElementsByTagNameNS(MD, "EntityDescriptor")[0];
  const idp = entity?.getElementsByTagNameNS(MD, "IDPSSODescriptor")[0];
  if (!entity || !idp) return { ok: false, error: "This metadata has no identity provider (IDPSSODescriptor) in it." };
  const services = Array.from(idp.getElementsByTagNameNS(MD, "SingleSignOnService"));
  const sso = services.find((s) => s.getAttribute("Binding") === REDIRECT);
  if (!sso?.getAttribute("Location")) return { ok: false, error: "This metadata has no single sign-on URL with the HTTP-Redirect binding." };
  const keys = Array.from(idp.getElementsByTagNameNS(MD, "KeyDescriptor")).filter((k) => (k.getAttribute("use") ?? "signing") === "signing");
  const certText = keys.map((k) => k.getElementsByTagNameNS(DS, "X509Certificate")[0]?.textContent).find(Boolean);
  if (!certText) return { ok: false, error: "This metadata has no signing certificate." };
  const certificate = certificatePem(certText);
  if (!certificate) return { ok: false, error: "The signing certificate in this metadata cannot be read." };
  return { ok: true, idp: { entityId: entity.getAttribute("entityID") ?? "", ssoUrl: sso.getAttribute("Location")!, certificate } };
}

/** A certificate pasted as PEM or bare base64, as PEM; undefined when it is not an X.509 certificate. */
export function certificatePem(text: string): string | undefined {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  if (!body || !/^[A-Za-z0-9+/=]+$/.test(body)) return undefined;
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  try {
    new crypto.X509Certificate(pem);
    return pem;
  } catch {
    return undefined;
  }
}

/** What lets an owner recognize the stored signing certificate (and see it expiring) without the PEM. */
export interface CertificateSummary {
  /** The subject's common name, or the whole subject when it has none. */
  subject: string;
  expiresAt: Date;
  /** SHA-256, as IdP admin consoles show it (colon-separated hex). */
  fingerprint: string;
}

/** The summary of a PEM certificate; undefined when it cannot be read. */
export function certificateSummary(pem: string): CertificateSummary | undefined {
  try {
    const cert = new crypto.X509Certificate(pem);
    const subject = /^CN=(.+)$/m.exec(cert.subject)?.[1] ?? cert.subject.split("\n").join(", ");
    return { subject, expiresAt: new Date(cert.validTo), fingerprint: cert.fingerprint256 };
  } catch {
    return undefined;
  }
}
