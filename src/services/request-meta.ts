import type { Request } from "express";

/** Who is asking, for security logs and session records. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** The client IP (honouring TRUST_PROXY through Express) and user agent of a request. */
export function requestMeta(req: Request): RequestMeta {
  return { ip: req.ip ?? null, userAgent: req.get("user-agent")?.slice(0, 500) ?? null };
}
