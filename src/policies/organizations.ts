/**
 * Who may do what in an organization. Pure functions of the actor's membership (null for someone
 * who is not a member) and the target: no database access, so every rule is visible here and
 * tested as a table (test/policies/organizations.test.ts). Routes call them through `authorize` in
 * the route maps; services call them again only inside their locked transaction, on fresh rows,
 * where the answer depends on the data (a role change, a removal, an invitation's role); views
 * receive the same answers as a `can` object.
 *
 * Roles: owners can do everything; admins manage members, teams and invitations but cannot touch
 * owners, delete the organization or manage its tokens; members see the member list and teams.
 * Nobody grants a role above their own.
 *
 * Owners are made, unmade and invited by people only. An organization token reaches as far as an
 * owner otherwise, but a token is a secret that leaks (CI logs, a laptop): if it could add an owner
 * of its holder's choosing, or demote and remove the owners, one leak would hand the organization
 * to a stranger and lock its people out. A token is an actor with `viaToken` set.
 */

/** A role in an organization, from most to least powerful. */
export type OrgRole = "owner" | "admin" | "member";

/** Every role, most powerful first. */
export const ORG_ROLES: readonly OrgRole[] = ["owner", "admin", "member"];

/** The part of a membership the policies look at. */
export interface Actor {
  role: OrgRole;
  user_id: number;
  /** Set for an organization or team token acting on the API: it is nobody, so it never touches owners. */
  viaToken?: boolean;
}

/**
 * Who acts in an organization, on the web and the API alike (built by loadOrg, src/http/load-org.ts):
 * a member, as a person; or an organization or team token (src/auth/org-principal.ts), which is
 * nobody (user_id 0, no user has it) and reaches as far as an owner (organization) or a member
 * (team), never touching owners (`viaToken`).
 */
export type OrgActor =
  | { kind: "user"; role: OrgRole; user_id: number; username: string }
  | { kind: "organization" | "team"; role: OrgRole; user_id: 0; viaToken: true };

/** The actor of an organization or team token. */
export function tokenActor(kind: "organization" | "team"): OrgActor {
  return { kind, role: kind === "organization" ? "owner" : "member", user_id: 0, viaToken: true };
}

/** The part of a team membership the team policies look at. */
export interface TeamActor {
  maintainer: boolean;
}

const RANK: Record<OrgRole, number> = { owner: 3, admin: 2, member: 1 };

/** True when `role` is at least as powerful as `than`. */
export function roleAtLeast(role: OrgRole, than: OrgRole): boolean {
  return RANK[role] >= RANK[than];
}

const isAdmin = (actor: Actor | null): actor is Actor => actor !== null && roleAtLeast(actor.role, "admin");
const isOwner = (actor: Actor | null): actor is Actor => actor?.role === "owner";
/** An owner who is a person: the only actor that may make, unmake or invite owners. */
const isOwnerInPerson = (actor: Actor | null): actor is Actor => isOwner(actor) && actor.viaToken !== true;

/** Any member may see the organization, its members and its teams. */
export function canViewOrganization(actor: Actor | null): boolean {
  return actor !== null;
}

/** Admins and owners may manage members (roles, removal) at all. */
export function canManageMembers(actor: Actor | null): boolean {
  return isAdmin(actor);
}

/**
 * Changing `target`'s role to `role`: admins and owners only; only owners touch owners; nobody
 * grants above their own role; nobody changes their own role here (owners step down by leaving or
 * after handing ownership to someone else, which the last-owner rule checks). Making someone an
 * owner or changing an owner's role is for owners in person, never a token.
 */
export function canChangeRole(actor: Actor | null, target: Actor, role: OrgRole): boolean {
  if (!isAdmin(actor) || actor.user_id === target.user_id) return false;
  if ((target.role === "owner" || role === "owner") && !isOwnerInPerson(actor)) return false;
  return roleAtLeast(actor.role, role);
}

/** Removing `target` from the organization: admins remove admins and members, only owners in person remove owners; leaving yourself is canLeaveOrganization. */
export function canRemoveMember(actor: Actor | null, target: Actor): boolean {
  if (!isAdmin(actor) || actor.user_id === target.user_id) return false;
  return target.role !== "owner" || isOwnerInPerson(actor);
}

/** Any member may leave (the last-owner rule is checked against the data, in the service). */
export function canLeaveOrganization(actor: Actor | null): boolean {
  return actor !== null;
}

/** Admins and owners may see, send, resend and revoke invitations. */
export function canManageInvitations(actor: Actor | null): boolean {
  return isAdmin(actor);
}

/** Inviting with `role` (and resending or revoking such an invitation): admins and owners, never above their own role; owners are invited by owners in person. */
export function canInviteWithRole(actor: Actor | null, role: OrgRole): boolean {
  if (role === "owner") return isOwnerInPerson(actor);
  return isAdmin(actor) && roleAtLeast(actor.role, role);
}

/** Any member may see the teams. */
export function canViewTeams(actor: Actor | null): boolean {
  return actor !== null;
}

/** Admins and owners create, rename and delete teams and name maintainers. */
export function canManageTeams(actor: Actor | null): boolean {
  return isAdmin(actor);
}

/** Adding and removing a team's members: admins and owners, and the team's maintainers. */
export function canManageTeamMembers(actor: Actor | null, teamActor: TeamActor | null): boolean {
  return isAdmin(actor) || (actor !== null && teamActor?.maintainer === true);
}

/** Renaming the organization or changing its slug: owners only. */
export function canUpdateOrganization(actor: Actor | null): boolean {
  return isOwner(actor);
}

/** Deleting the organization: owners only. */
export function canDeleteOrganization(actor: Actor | null): boolean {
  return isOwner(actor);
}

/** Whether the actor may back the organization with a GitHub organization, or stop it: owners in person (it stores their own GitHub token). */
export function canManageBacking(actor: Actor | null): boolean {
  return isOwnerInPerson(actor);
}

/** Organization and team access tokens: owners only, since such a token acts as the organization. */
export function canManageOrganizationTokens(actor: Actor | null): boolean {
  return isOwner(actor);
}

/**
 * SCIM provisioning tokens: owners in person only. Such a token lets the organization's identity
 * provider add and remove members, so it is a decision of the people who own the organization.
 */
export function canManageScim(actor: Actor | null): boolean {
  return isOwnerInPerson(actor);
}

/** The organization's audit log: admins and owners, who manage what it records. */
export function canViewAuditLog(actor: Actor | null): boolean {
  return isAdmin(actor);
}

/**
 * Verified domains and the join policy: owners in person only. They decide who can walk into the
 * organization without an invitation, as the two-factor requirement decides who may use it.
 */
export function canManageDomains(actor: Actor | null): boolean {
  return isOwnerInPerson(actor);
}

/** Approving and denying requests to join: admins and owners, who may add members by invitation too. */
export function canReviewJoinRequests(actor: Actor | null): boolean {
  return isAdmin(actor);
}

/** The roles this actor may hand out (in forms: the options of the role select). */
export function grantableRoles(actor: Actor | null): OrgRole[] {
  return ORG_ROLES.filter((r) => canInviteWithRole(actor, r));
}

/** The answers views need for the organization pages, from the same functions. */
/**
 * Requiring two-factor authentication of every member: owners in person only. The policy decides
 * who can use the organization at all, so no token may switch it off.
 */
export function canRequireTwoFactor(actor: Actor | null): boolean {
  return isOwnerInPerson(actor);
}

export function orgAbilities(actor: Actor | null) {
  return {
    requireTwoFactor: canRequireTwoFactor(actor),
    view: canViewOrganization(actor),
    manageMembers: canManageMembers(actor),
    manageInvitations: canManageInvitations(actor),
    manageTeams: canManageTeams(actor),
    update: canUpdateOrganization(actor),
    delete: canDeleteOrganization(actor),
    manageTokens: canManageOrganizationTokens(actor),
    leave: canLeaveOrganization(actor),
    viewAuditLog: canViewAuditLog(actor),
    manageDomains: canManageDomains(actor),
    reviewJoinRequests: canReviewJoinRequests(actor),
    manageScim: canManageScim(actor),
    manageBacking: canManageBacking(actor),
  };
}
