import { db, type Executor } from "./knex";

/** A Gatehouse account whose linked GitHub identity is in the backing organization. */
export interface BackedPersonRow {
  user_id: number;
  username: string;
  display_name: string | null;
  provider_username: string;
}

/**
 * The accounts with a GitHub identity among `providerUserIds` that could be invited to the
 * organization: a confirmed address, not suspended, not a member, and no pending invitation to
 * their address. Matched only by the provider's immutable user id (never by login or email).
 */
export function listInvitableBackedPeople(organizationId: number, providerUserIds: string[], limit: number, q: Executor = db): Promise<BackedPersonRow[]> {
  if (providerUserIds.length === 0) return Promise.resolve([]);
  return q("identities as i")
    .join("users as u", "u.id", "i.user_id")
    .where("i.provider", "github")
    .whereIn("i.provider_user_id", providerUserIds)
    .whereNotNull("u.email_confirmed_at")
    .whereNull("u.suspended_at")
    .whereNotExists(q("memberships as m").whereRaw("m.user_id = u.id").where("m.organization_id", organizationId))
    .whereNotExists(q("invitations as v").whereRaw("v.email = u.email").where({ "v.organization_id": organizationId, "v.status": "pending" }))
    .orderBy("u.username")
    .limit(limit)
    .select("u.id as user_id", "u.username", "u.display_name", "i.provider_username");
}

/** One account's GitHub identity with its confirmed address, for a one-click invitation; undefined otherwise. */
export function findBackedPerson(userId: number, q: Executor = db): Promise<{ user_id: number; email: string; username: string; provider_user_id: string } | undefined> {
  return q("identities as i")
    .join("users as u", "u.id", "i.user_id")
    .where({ "i.provider": "github", "u.id": userId })
    .whereNotNull("u.email_confirmed_at")
    .whereNull("u.suspended_at")
    .first("u.id as user_id", "u.email", "u.username", "i.provider_user_id");
}

/** The organization's members who have linked GitHub, with their GitHub id and role: who the recheck looks at. */
export function listMembersWithGitHub(organizationId: number, q: Executor = db): Promise<{ membership_id: number; user_id: number; role: string; provider_user_id: string }[]> {
  return q("memberships as m")
    .join("identities as i", function () {
      this.on("i.user_id", "m.user_id").andOnVal("i.provider", "github");
    })
    .where("m.organization_id", organizationId)
    .select("m.id as membership_id", "m.user_id", "m.role", "i.provider_user_id");
}
