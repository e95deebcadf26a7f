import { db, type Executor } from "./knex";

/** One entry of an organization's log (table organization_events). */
export interface OrganizationEventRow {
  id: number;
  organization_id: number;
  actor_user_id: number | null;
  /** The actor's username when the event happened, or what acted instead ("Organization API token"). */
  actor_name: string;
  action: string;
  details: Record<string, unknown>;
  created_at: Date;
}

/**
 * Appends an entry to an organization's log. A person is named by their username, read in the same
 * statement; a token acts with `actorName` and no user.
 */
export async function insertOrganizationEvent(
  row: { organization_id: number; actor_user_id: number | null; actor_name: string; action: string; details?: Record<string, unknown> },
  q: Executor = db,
): Promise<void> {
  const name = row.actor_user_id === null
    ? row.actor_name
    : q.raw("COALESCE((SELECT username FROM users WHERE id = ?), ?)", [row.actor_user_id, row.actor_name]);
  await q("organization_events").insert({ ...row, actor_name: name, details: JSON.stringify(row.details ?? {}) });
}

/** A page of an organization's log, newest first (one row more than `limit` tells whether there is a next page). */
export function listOrganizationEvents(organizationId: number, limit: number, offset: number, q: Executor = db): Promise<OrganizationEventRow[]> {
  return q<OrganizationEventRow>("organization_events").where({ organization_id: organizationId }).orderBy("id", "desc").limit(limit).offset(offset);
}

/** Deletes every organization's entries older than `days`; returns how many went. */
export function pruneOrganizationEventsOlderThan(days: number, q: Executor = db): Promise<number> {
  return q("organization_events").where("created_at", "<", q.raw("now() - make_interval(days => ?)", [days])).delete();
}
