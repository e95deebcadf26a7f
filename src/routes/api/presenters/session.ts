import type { z } from "zod";
import type { LiveSessionRow } from "../../../db/sessions";
import { deviceLabel } from "../../../lib/user-agent";
import type { SessionResource } from "../schemas";

/** The API view of a session: named by its public id, never by the session cookie's id. */
export function presentSession(row: LiveSessionRow): z.infer<typeof SessionResource> {
  return {
    id: row.public_id,
    device: deviceLabel(row.user_agent),
    ip: row.ip,
    user_agent: row.user_agent,
    remember: row.remember,
    created_at: row.signed_in_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
  };
}
