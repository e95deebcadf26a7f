/** Who the organization's identity provider says signed in: the subject is all an account is matched by. */
export interface SsoProfile {
  /** The IdP's stable subject (OIDC `sub`, SAML NameID). */
  subject: string;
  /** The address, only when the IdP vouches for it (OIDC email_verified; a SAML IdP's assertion is its vouching). */
  verifiedEmail: string | null;
  displayName: string;
  /** A base for a new username (the address's local part, or the name). */
  username: string;
}

/** The part before the @, as a base for a username. */
export function localPart(email: string | null): string {
  return email ? email.split("@")[0]! : "";
}
