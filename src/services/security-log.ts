import type { Executor } from "../db/knex";
import { insertSecurityEvent } from "../db/security-events";
import type { RequestMeta } from "./request-meta";

/** Records a security-relevant action in the user's security log. */
export function recordSecurityEvent(
  userId: number,
  action: string,
  meta: RequestMeta,
  details?: Record<string, unknown>,
  q?: Executor,
): Promise<void> {
  return insertSecurityEvent({ user_id: userId, action, ip: meta.ip, user_agent: meta.userAgent, details }, q);
}
