import type { InvitationRow } from "../../../db/invitations";
import type { MemberListRow } from "../../../db/memberships";
import type { OrganizationRow } from "../../../db/organizations";

/** The API view of an organization, with the caller's role when the caller is a member. */
export function presentOrganization(org: Pick<OrganizationRow, "id" | "slug" | "name" | "created_at" | "updated_at">, role: string | null) {
  return { slug: org.slug, name: org.name, role, created_at: org.created_at.toISOString(), updated_at: org.updated_at.toISOString() };
}

/** The API view of a membership: the member's public account fields and role, never their email. */
export function presentMember(m: Pick<MemberListRow, "id" | "user_id" | "username" | "display_name" | "role" | "created_at">) {
  return { id: m.id, user: { id: m.user_id, username: m.username, display_name: m.display_name }, role: m.role, joined_at: m.created_at.toISOString() };
}

/** The API view of a pending invitation: never its link or hash. */
export function presentInvitation(i: Pick<InvitationRow, "id" | "email" | "role" | "team_ids" | "status" | "expires_at" | "created_at"> & { inviter_username?: string | null }) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    team_ids: i.team_ids.map(Number),
    status: i.status,
    invited_by: i.inviter_username ?? null,
    expires_at: i.expires_at.toISOString(),
    created_at: i.created_at.toISOString(),
  };
}
