import type { Request } from "express";
import { unmapIpv4 } from "../lib/ip-address";
import type { RequestMeta } from "../services/request-meta";

/** The client IP (honouring TRUST_PROXY through Express; IPv4 as IPv4, not IPv4-mapped IPv6) and user agent of a request. */
export function requestMeta(req: Request): RequestMeta {
  return { ip: unmapIpv4(req.ip), userAgent: req.get("user-agent")?.slice(0, 500) ?? null };
}
