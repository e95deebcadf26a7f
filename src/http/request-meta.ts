import type { Request } from "express";
import type { RequestMeta } from "../services/request-meta";

/** The client IP (honouring TRUST_PROXY through Express) and user agent of a request. */
export function requestMeta(req: Request): RequestMeta {
  return { ip: req.ip ?? null, userAgent: req.get("user-agent")?.slice(0, 500) ?? null };
}
