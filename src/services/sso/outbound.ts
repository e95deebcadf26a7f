import dns from "node:dns/promises";
import net from "node:net";

/**
 * Calls our server makes on an organization owner's say-so: the SAML metadata URL, the OIDC issuer's
 * discovery document, and the token, JWKS and userinfo endpoints that document names. Anyone who
 * signs up can create an organization and type these URLs, so without a check they could make the
 * server call what only it can reach: the cloud metadata service (169.254.169.254), an admin port
 * on localhost, services on the private network (server-side request forgery).
 *
 * So, unless the operator allows private networks (SSO_ALLOW_PRIVATE_NETWORKS, for an identity
 * provider inside the company network; on by default outside production, where the test providers
 * listen on 127.0.0.1), a URL whose host is or resolves to a loopback, private, link-local,
 * unique-local, CGNAT or unspecified address is refused, and redirects are not followed (a public
 * URL could otherwise redirect inward). The check resolves the name before the request, and the
 * request resolves it again: a DNS answer that changes in between (rebinding) is not caught. That
 * window is small, and the responses only ever reach the owner as a parse error, never verbatim.
 */
const INTERNAL = new net.BlockList();
for (const [address, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) INTERNAL.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) INTERNAL.addSubnet(address, prefix, "ipv6");

/** True for an address that is not on the public internet (see the module comment). */
export function isInternalAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return isInternalAddress(mapped);
  return INTERNAL.check(ip, net.isIPv6(ip) ? "ipv6" : "ipv4");
}

/** Throws with a reason for the owner unless every address `url`'s host has is public. */
export async function assertPublicUrl(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new Error(`${host} does not resolve`);
  if (addresses.some(isInternalAddress)) throw new Error(`${host} is on a private or local network, which this server does not call (SSO_ALLOW_PRIVATE_NETWORKS allows it)`);
}

/** fetch() for owner-supplied URLs: checked as above and redirects refused, unless private networks are allowed. */
// Generic in the options so that openid-client's own request-options type fits too.
export function outboundFetch(allowPrivateNetworks: boolean) {
  return async <Init extends object>(url: string | URL, init?: Init): Promise<Response> => {
    const options = (init ?? {}) as RequestInit;
    if (allowPrivateNetworks) return fetch(url, options);
    await assertPublicUrl(new URL(url));
    return fetch(url, { ...options, redirect: "error" });
  };
}
