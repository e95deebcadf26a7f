import type { ProviderName } from "../config";
import { db, type Executor } from "./knex";

/**
 * People matched to a backing group by the identity of the provider the group's members are known
 * by (`identityProvider`: github, gitlab, or atlassian for a Bitbucket workspace), and only by that
 * identity's immutable provider user id, never by login or email.
 */

/** A Gatehouse account whose linked identity is in the backing group. */
export interface BackedPersonRow {
  user_id: number;
  username: string;
  display_name: string | null;
  provider_username: string;
}

/**
 * The accounts with an identity of `identityProvider` among `providerUserIds` that could be
 * invited to the organization: a confirmed address, not suspended, not a member, and no pending
 * invitation to their address.
 */
export function listInvitableBackedPeople(organizationId: number, identityProvider: ProviderName, providerUserIds: string[], limit: number, q: Executor = db): Promise<BackedPersonRow[]> {
  if (providerUserIds.length === 0) return Promise.resolve([]);
  return q("identities as i")
    .join("users as u", "u.id", "i.user_id")
    .where("i.provider", identityProvider)
    .whereIn("i.provider_user_id", providerUserIds)
    .whereNotNull("u.email_confirmed_at")
    .whereNull("u.suspended_at")
    .whereNotExists(q("memberships as m").whereRaw("m.user_id = u.id").where("m.organization_id", organizationId))
    .whereNotExists(q("invitations as v").whereRaw("v.email = u.email").where({ "v.organization_id": organizationId, "v.status": "pending" }))
    .orderBy("u.username")
    .limit(limit)
    .select("u.id as user_id", "u.username", "u.display_name", "i.provider_username");
}

/** One account's identity of `identityProvider` with its confirmed address, for a one-click invitation; undefined otherwise. */
export function findBackedPerson(userId: number, identityProvider: ProviderName, q: Executor = db): Promise<{ user_id: number; email: string; username: string; provider_user_id: string; provider_username: string } | undefined> {
  return q("identities as i")
    .join("users as u", "u.id", "i.user_id")
    .where({ "i.provider": identityProvider, "u.id": userId })
    .whereNotNull("u.email_confirmed_at")
    .whereNull("u.suspended_at")
    .first("u.id as user_id", "u.email", "u.username", "i.provider_user_id", "i.provider_username");
}

/** The organization's members who have linked `identityProvider`, with their provider id and role: who the recheck looks at. */
export function listMembersWithIdentity(organizationId: number, identityProvider: ProviderName, q: Executor = db): Promise<{ membership_id: number; user_id: number; role: string; provider_user_id: string }[]> {
  return q("memberships as m")
    .join("identities as i", function () {
      this.on("i.user_id", "m.user_id").andOnVal("i.provider", identityProvider);
    })
    .where("m.organization_id", organizationId)
    .select("m.id as membership_id", "m.user_id", "m.role", "i.provider_user_id");
}
