import net from "node:net";

/**
 * An IP address as people read it. A server listening on both IPv4 and IPv6 sees IPv4 clients as
 * IPv4-mapped IPv6 addresses ("::ffff:203.0.113.7"); that is the same client as "203.0.113.7", and
 * the long form only confuses someone checking a session list against their own address.
 */
export function unmapIpv4(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped && net.isIPv4(mapped[1]!) ? mapped[1]! : ip;
}

/** The address for a page ("203.0.113.7", "2001:db8::1"), or "unknown" when none was recorded. */
export function displayIp(ip: string | null | undefined): string {
  return unmapIpv4(ip) ?? "unknown";
}
