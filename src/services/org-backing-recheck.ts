import type { AppContext } from "../context";
import type { ProviderName } from "../config";
import { BACKING_ADAPTERS } from "../auth/providers/backing-adapters";
import type { BackingPerson } from "../auth/providers/backing-api";
import { listMembersWithIdentity } from "../db/backed-people";
import { db } from "../db/knex";
import { deleteMembership, findMembership, insertMembership } from "../db/memberships";
import { findOrganizationBacking, listBackingsOfPerson, listWorkingBackings, markBackingChecked, type OrganizationBackingRow } from "../db/organization-backings";
import { lockOrganization } from "../db/organizations";
import { findUserById } from "../db/users";
import { backedMemberRemovedMail } from "../emails/backed-member-removed";
import { backedMemberRemovedOwnersMail } from "../emails/backed-member-removed-owners";
import type { Logger } from "../lib/logger";
import { runPeriodically } from "../lib/periodic";
import { adapterOf, groupOf } from "./org-backing";
import { withBackingToken } from "./org-backing-token";
import { membersWantingEmail } from "./notification-preferences";
import { recordOrgEvent } from "./organization-log";

/**
 * Keeping a backed organization's members in step with the group backing it (GitHub organization,
 * GitLab group, Bitbucket workspace), at a member's sign-in with the matching identity and once a
 * day. The rules:
 * - Only members who have linked the identity the group's members are known by are looked at
 *   (GitHub, GitLab, or Atlassian for Bitbucket; a member without it cannot be matched, and is left
 *   alone); matching is by the provider's immutable user id, never by login or email.
 * - Owners are never removed, so an organization can never lose its last owner this way; owners
 *   are told instead, since the owners manage the provider side too.
 * - Fail safe: nobody is removed on anything but a clear answer. A provider error, a timeout or an
 *   unexpected document skips the organization until the next run. A refused token (401 that a
 *   refresh did not cure, or a refused refresh token) marks the backing broken, shown to the owners
 *   in the settings, and stops all checks until an owner connects again.
 * - A removal runs in one transaction that locks the organization and reads the membership again;
 *   the mail to the person and to the owners is queued in it.
 */

const actorOf = (backing: OrganizationBackingRow) => ({ userId: null, name: `${adapterOf(backing).groupNoun} ${backing.provider_org_login}` });

/** Removes a non-owner who left the group; false when they were an owner or already gone. */
async function removeLeaver(ctx: AppContext, backing: OrganizationBackingRow, userId: number): Promise<boolean> {
  const adapter = adapterOf(backing);
  return db.transaction(async (trx) => {
    const org = await lockOrganization(backing.organization_id, trx);
    // Backing may have been turned off (or moved to another group) while the provider was asked: then nobody is removed.
    const fresh = org ? await findOrganizationBacking(org.id, trx) : undefined;
    if (!org || !fresh || fresh.provider !== backing.provider || fresh.provider_org_id !== backing.provider_org_id) return false;
    const membership = await findMembership(org.id, userId, trx);
    if (!membership || membership.role === "owner") return false;
    const user = await findUserById(userId, trx);
    if (!user) return false;
    await deleteMembership(membership.id, trx);
    await recordOrgEvent(org.id, actorOf(backing), "member.removed", { user_id: user.id, username: user.username, role: membership.role, reason: `left_${adapter.eventKey}` }, trx);
    const words = { providerOrg: backing.provider_org_login, groupNoun: adapter.groupNoun, providerLabel: adapter.label };
    await ctx.mail.queue(backedMemberRemovedMail({ userId: user.id, to: user.email, recipient: user.username, orgName: org.name, ...words }), trx);
    const owners = await membersWantingEmail(org.id, ["owner"], "organization", trx);
    await ctx.mail.queueAll(owners.map((o) => backedMemberRemovedOwnersMail({ userId: o.user_id, to: o.email, recipient: o.username, orgName: org.name, orgSlug: org.slug, member: user.username, ...words })), trx);
    return true;
  });
}

/** Adds someone who is in the group as a member, when the owners allow joining on one's own. */
async function joinOnOwn(backing: OrganizationBackingRow, userId: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    const org = await lockOrganization(backing.organization_id, trx);
    const fresh = org ? await findOrganizationBacking(org.id, trx) : undefined;
    if (!org || !fresh?.self_join || fresh.broken_at || fresh.provider_org_id !== backing.provider_org_id) return false;
    const user = await findUserById(userId, trx);
    if (!user?.email_confirmed_at || !(await insertMembership({ organization_id: org.id, user_id: userId, role: "member" }, trx))) return false;
    await recordOrgEvent(org.id, actorOf(backing), "member.joined", { user_id: user.id, username: user.username, role: "member", via: adapterOf(backing).eventKey }, trx);
    return true;
  });
}

/**
 * The whole check of one backed organization (the daily job): every member with the matching
 * identity who is not in the group's member list is removed (owners excepted). Returns how many.
 */
export async function recheckBacking(ctx: AppContext, backing: OrganizationBackingRow): Promise<number> {
  let ids: Set<string> | "broken";
  try {
    ids = await withBackingToken(ctx, backing, ({ adapter, config, token }) => adapter.listMemberIds(config, token, groupOf(backing)));
  } catch (err) {
    ctx.logger.warn({ err, organizationId: backing.organization_id, provider: backing.provider }, "reading the backing group failed; nobody removed");
    return 0;
  }
  if (ids === "broken") return 0;
  let removed = 0;
  for (const m of await listMembersWithIdentity(backing.organization_id, adapterOf(backing).identityProvider)) {
    if (m.role === "owner" || ids.has(m.provider_user_id)) continue;
    if (await removeLeaver(ctx, backing, m.user_id)) removed++;
  }
  await markBackingChecked(backing.organization_id);
  return removed;
}

/** Rechecks every working backing, whatever its provider; returns how many members were removed in all. */
export async function recheckAllBackings(ctx: AppContext): Promise<number> {
  let removed = 0;
  for (const backing of await listWorkingBackings()) removed += await recheckBacking(ctx, backing);
  return removed;
}

/**
 * At a sign-in with `identityProvider`: for each organization backed by a group whose members are
 * known by that identity, a member who left the group is removed, and someone in it joins when the
 * owners allow that. `person` is what the sign-in just returned (fresh: GitHub's membership
 * endpoint is asked by login, GitLab's by user id, Bitbucket's by Atlassian account id). Errors
 * are logged and skipped: a sign-in never fails because of backing, and nobody is removed on an error.
 */
export async function checkBackingsAtSignIn(ctx: AppContext, userId: number, identityProvider: ProviderName, person: BackingPerson): Promise<void> {
  const providers = BACKING_ADAPTERS.filter((a) => a.identityProvider === identityProvider).map((a) => a.name);
  if (providers.length === 0) return;
  for (const backing of await listBackingsOfPerson(userId, providers)) {
    const member = backing.member_role !== null;
    let inGroup: boolean | "broken";
    try {
      inGroup = await withBackingToken(ctx, backing, ({ adapter, config, token }) => adapter.isMember(config, token, groupOf(backing), person));
    } catch (err) {
      ctx.logger.warn({ err, organizationId: backing.organization_id, provider: backing.provider }, "checking a group membership at sign-in failed");
      continue;
    }
    if (inGroup === "broken") continue;
    if (member && !inGroup) await removeLeaver(ctx, backing, userId);
    else if (!member && inGroup) await joinOnOwn(backing, userId);
  }
}

/** How often one process rechecks: daily, as members leaving a group is rare and sign-ins check too. */
const RECHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Runs the recheck now and then daily in this process; returns a stop function. Started by
 * src/server.ts beside the prunes, never by createApp(), so tests call recheckAllBackings
 * themselves. Several processes may run it at once: each removal locks and reads again, and a
 * token refresh locks the backing row.
 */
export function startBackingRecheck(ctx: AppContext, logger: Logger): () => void {
  return runPeriodically(RECHECK_INTERVAL_MS, logger, "rechecking organization backing failed", async () => {
    const removed = await recheckAllBackings(ctx);
    if (removed > 0) logger.info({ removed }, "removed members who left the groups backing their organizations");
  });
}
