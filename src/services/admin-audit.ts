import type { Executor } from "../db/knex";
import { insertAdminAuditEvent } from "../db/admin-audit-events";
import type { RequestMeta } from "./request-meta";

/** Who performs an admin action: a site admin in person (web or API), or the server's command line. */
export interface AdminActor {
  /** Null for the command line (npm run admin) and ADMIN_USERNAMES at start. */
  id: number | null;
  username: string;
}

/** What an admin action was done to. */
export interface AuditTarget {
  type: "user" | "organization" | "instance";
  id: number | null;
  label: string;
}

/** The actor and the request details every admin action is recorded with. */
export interface AdminContext {
  actor: AdminActor;
  meta: RequestMeta;
}

/**
 * Records an admin action in the audit log, in the caller's transaction so that the action and its
 * entry commit together or not at all.
 */
export function recordAdminAction(admin: AdminContext, action: string, target: AuditTarget, details: Record<string, unknown>, q: Executor): Promise<void> {
  return insertAdminAuditEvent(
    {
      actor_id: admin.actor.id,
      actor_username: admin.actor.username,
      action,
      target_type: target.type,
      target_id: target.id,
      target_label: target.label,
      details,
      ip: admin.meta.ip,
      user_agent: admin.meta.userAgent,
    },
    q,
  );
}
