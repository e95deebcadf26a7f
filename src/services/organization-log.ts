import type { Executor } from "../db/knex";
import { insertOrganizationEvent } from "../db/organization-events";
import type { Actor } from "../policies/organizations";

/** Who did something in an organization: a person (by user id), or one of its tokens (no user). */
export interface OrgEventActor {
  userId: number | null;
  /** Shown when there is no user (a token), or when the user's name cannot be read any more. */
  name: string;
}

/** The log's actor for a policy actor (a membership, or a token acting with `viaToken`). */
export function orgEventActor(actor: Pick<Actor, "user_id" | "viaToken"> | null): OrgEventActor {
  if (!actor || actor.viaToken) return { userId: null, name: "An API token" };
  return { userId: actor.user_id, name: "A former member" };
}

/**
 * Records an organization event for its owners and admins to read: members joined and removed,
 * roles, invitations, tokens, settings. In the caller's transaction, so the log never shows a change
 * that was rolled back, nor misses one that was kept.
 */
export function recordOrgEvent(organizationId: number, actor: OrgEventActor, action: string, details: Record<string, unknown>, q?: Executor): Promise<void> {
  return insertOrganizationEvent({ organization_id: organizationId, actor_user_id: actor.userId, actor_name: actor.name, action, details }, q);
}
