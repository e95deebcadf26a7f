/**
 * Our end of an organization's identity provider. Every URL is built from BASE_URL, never from
 * request headers (a forged Host must not become a redirect URI or an audience), and names the
 * organization by its id, which a rename of the slug does not change.
 */
export function ssoUrls(baseUrl: string, organizationId: number) {
  const base = `${baseUrl.replace(/\/+$/, "")}/sso/${organizationId}`;
  return {
    /** Where the OIDC provider sends the browser back with the code. */
    oidcRedirectUri: `${base}/oidc/callback`,
    /** The SAML assertion consumer service (HTTP-POST binding). */
    acsUrl: `${base}/saml/acs`,
    /** Our SAML entity id, which is also where our metadata is published. */
    spEntityId: `${base}/saml/metadata`,
  };
}
