import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import {
  countOwners,
  deleteMembership,
  findMembership,
  findMembershipInOrganization,
  updateMembershipRole,
  type MembershipRow,
} from "../db/memberships";
import { lockOrganization, type OrganizationRow } from "../db/organizations";
import { findUserById } from "../db/users";
import { organizationMembershipChangedMail } from "../emails/organization-membership-changed";
import { forbidden, lastOwner, notFound, ownersInPerson } from "../lib/errors";
import { canChangeRole, canLeaveOrganization, canRemoveMember, type OrgActor, type OrgRole } from "../policies/organizations";
import { wantsEmail } from "./notification-preferences";
import { guardLastOwner } from "./org-errors";
import { recordOrgEvent, type OrgEventActor } from "./organization-log";

/**
 * Membership changes. Each one runs in a transaction that first locks the organization row, then
 * reads the actor's and the target's memberships again: two owners demoting each other at the same
 * moment run one after the other, and the second sees that it is no longer an owner (and that the
 * other would be the last one). The deferred trigger in the memberships migration is the backstop.
 */

async function freshActor(org: OrganizationRow, actor: OrgActor, trx: Executor) {
  if (actor.kind !== "user") return actor;
  return (await findMembership(org.id, actor.user_id, trx)) ?? null;
}

async function notifyMember(ctx: AppContext, org: OrganizationRow, userId: number, mail: { actor: string; change: "role" | "removed"; role?: string }, q: Executor) {
  if (!(await wantsEmail(userId, "organization", q))) return;
  const user = await findUserById(userId, q);
  if (!user) return;
  await ctx.mail.queue(
    organizationMembershipChangedMail({ userId: user.id, to: user.email, recipient: user.username, orgName: org.name, orgSlug: org.slug, ...mail }),
    q,
  );
}

/** The 403 for a refused change: tokens that reached for an owner are told that owners are for people. */
const refusal = (actor: OrgActor, touchesOwner: boolean) => (actor.kind !== "user" && touchesOwner ? ownersInPerson() : forbidden());

const actorName = (actor: OrgActor, org: OrganizationRow) => (actor.kind === "user" ? actor.username : `${org.name} (API token)`);

/** The organization log's actor for a membership change. */
const logActor = (actor: OrgActor): OrgEventActor =>
  actor.kind === "user" ? { userId: actor.user_id, name: actor.username } : { userId: null, name: actor.kind === "team" ? "A team API token" : "An organization API token" };

/** A member as the organization log names them: id and username at the time. */
async function memberDetails(userId: number, q: Executor) {
  return { user_id: userId, username: (await findUserById(userId, q))?.username ?? null };
}

/** Changes a member's role; the target is looked up inside this organization only (another org's id is a 404). */
export async function changeMemberRole(ctx: AppContext, org: OrganizationRow, actor: OrgActor, membershipId: number, role: OrgRole): Promise<MembershipRow> {
  const updated = await guardLastOwner(() =>
    db.transaction(async (trx) => {
      await lockOrganization(org.id, trx);
      const target = await findMembershipInOrganization(org.id, membershipId, trx);
      if (!target) throw notFound("Member");
      if (!canChangeRole(await freshActor(org, actor, trx), target, role)) throw refusal(actor, target.role === "owner" || role === "owner");
      if (target.role === role) return target;
      if (target.role === "owner" && (await countOwners(org.id, trx)) <= 1) throw lastOwner();
      await updateMembershipRole(target.id, role, trx);
      await recordOrgEvent(org.id, logActor(actor), "member.role_changed", { ...(await memberDetails(target.user_id, trx)), from: target.role, to: role }, trx);
      await notifyMember(ctx, org, target.user_id, { actor: actorName(actor, org), change: "role", role }, trx);
      return { ...target, role };
    }),
  );
  return updated;
}

/** Removes someone else from the organization (their team memberships go too). */
export async function removeMember(ctx: AppContext, org: OrganizationRow, actor: OrgActor, membershipId: number): Promise<void> {
  await guardLastOwner(() =>
    db.transaction(async (trx) => {
      await lockOrganization(org.id, trx);
      const target = await findMembershipInOrganization(org.id, membershipId, trx);
      if (!target) throw notFound("Member");
      if (!canRemoveMember(await freshActor(org, actor, trx), target)) throw refusal(actor, target.role === "owner");
      if (target.role === "owner" && (await countOwners(org.id, trx)) <= 1) throw lastOwner();
      await deleteMembership(target.id, trx);
      await recordOrgEvent(org.id, logActor(actor), "member.removed", { ...(await memberDetails(target.user_id, trx)), role: target.role }, trx);
      await notifyMember(ctx, org, target.user_id, { actor: actorName(actor, org), change: "removed" }, trx);
    }),
  );
}

/** The user leaves the organization; the last owner cannot until someone else is an owner. */
export async function leaveOrganization(org: OrganizationRow, userId: number): Promise<void> {
  await guardLastOwner(() =>
    db.transaction(async (trx) => {
      await lockOrganization(org.id, trx);
      const own = await findMembership(org.id, userId, trx);
      if (!own || !canLeaveOrganization(own)) throw notFound("Organization");
      if (own.role === "owner" && (await countOwners(org.id, trx)) <= 1) {
        throw lastOwner(`You are the last owner of ${org.name}. Make someone else an owner before you leave.`);
      }
      await deleteMembership(own.id, trx);
      await recordOrgEvent(org.id, { userId, name: "A former member" }, "member.left", { ...(await memberDetails(userId, trx)), role: own.role }, trx);
    }),
  );
}
