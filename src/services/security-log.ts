import type { Executor } from "../db/knex";
import { insertSecurityEvent, insertSecurityEventForLogin } from "../db/security-events";
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

/**
 * Records a failed password sign-in in the log of the account the text typed names, if any. One
 * statement whether or not the account exists (src/db/security-events.ts), so recording it does
 * not tell known logins from unknown ones. The owner sees the attempt with its IP and browser.
 */
export function recordFailedSignIn(login: string, meta: RequestMeta, q?: Executor): Promise<void> {
  return insertSecurityEventForLogin(login.trim(), { action: "sign_in.failed", ip: meta.ip, user_agent: meta.userAgent, details: { method: "password" } }, q);
}
