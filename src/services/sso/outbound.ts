import dns from "node:dns";
import net, { type LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from "undici";

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
 * URL could otherwise redirect inward). The address is checked where the connection is made: the
 * request goes through an undici Agent whose DNS lookup refuses internal answers, so the address
 * checked is the address connected to. Checking a name first and letting fetch resolve it again
 * would leave a window for a DNS answer that changes in between (rebinding). A host that is an IP
 * literal is never looked up, so it is checked before the request.
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

/** A refusal to call an internal address, worded for the owner who typed the URL. */
export class PrivateNetworkRefused extends Error {
  constructor(host: string) {
    super(`${host} is on a private or local network, which this server does not call (SSO_ALLOW_PRIVATE_NETWORKS allows it)`);
  }
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

/** dns.lookup, refusing an answer in which any address is internal. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    if (addresses.length === 0) return callback(new Error(`${hostname} does not resolve`), "", 0);
    if (addresses.some((a) => isInternalAddress(a.address))) return callback(new PrivateNetworkRefused(hostname), "", 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** The connections of every owner-supplied call when private networks are not allowed. */
const publicOnly = new Agent({ connect: { lookup: publicOnlyLookup } });

/**
 * Throws with a reason for the owner unless every address `url`'s host has is public. The request
 * checks again as it connects (see the module comment); this is for a clear message up front, where
 * a library would report the refused request only as a failure of its own.
 */
export async function assertPublicUrl(url: URL): Promise<void> {
  const host = hostOf(url);
  const addresses = net.isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new Error(`${host} does not resolve`);
  if (addresses.some(isInternalAddress)) throw new PrivateNetworkRefused(host);
}

/** fetch() for owner-supplied URLs: checked as above and redirects refused, unless private networks are allowed. */
// Generic in the options so that openid-client's own request-options type fits too.
export function outboundFetch(allowPrivateNetworks: boolean) {
  return async <Init extends object>(url: string | URL, init?: Init): Promise<Response> => {
    const options = (init ?? {}) as RequestInit;
    if (allowPrivateNetworks) return fetch(url, options);
    const host = hostOf(new URL(url));
    if (net.isIP(host) && isInternalAddress(host)) throw new PrivateNetworkRefused(host);
    try {
      // undici's fetch with its own Agent (Node's global fetch cannot take an Agent of another undici);
      // its Response is the same WHATWG Response for every caller here.
      const res = await undiciFetch(url, { ...(options as UndiciRequestInit), redirect: "error", dispatcher: publicOnly });
      return res as unknown as Response;
    } catch (err) {
      // fetch reports a failed connection as "fetch failed", with the lookup's refusal as its cause.
      const cause = (err as { cause?: unknown }).cause;
      throw cause instanceof PrivateNetworkRefused ? cause : err;
    }
  };
}
