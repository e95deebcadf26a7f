import type { AppContext } from "../context";
import { GitHubTokenRejected, isGitHubOrgMember, listGitHubOrgMemberIds } from "../auth/providers/github-orgs";
import { listMembersWithGitHub } from "../db/backed-people";
import { db } from "../db/knex";
import { deleteMembership, findMembership, insertMembership, listMemberIdsWithRoles } from "../db/memberships";
import { findOrganizationBacking, listWorkingBackings, markBackingBroken, markBackingChecked, type OrganizationBackingRow } from "../db/organization-backings";
import { lockOrganization } from "../db/organizations";
import { findUserById } from "../db/users";
import { backedMemberRemovedMail } from "../emails/backed-member-removed";
import { backedMemberRemovedOwnersMail } from "../emails/backed-member-removed-owners";
import type { Logger } from "../lib/logger";
import { gitHubConfig, openBackingToken } from "./org-backing";
import { wantsEmail } from "./notification-preferences";
import { recordOrgEvent } from "./organization-log";

/**
 * Keeping a backed organization's members in step with the GitHub organization, at a member's
 * GitHub sign-in and once a day. The rules:
 * - Only members who have linked GitHub are looked at (a member without a GitHub identity cannot be
 *   matched, and is left alone); matching is by GitHub's numeric user id, never by login or email.
 * - Owners are never removed, so an organization can never lose its last owner this way; owners
 *   are told instead, since the owners manage the GitHub side too.
 * - Fail safe: nobody is removed on anything but a clear answer. A provider error, a timeout or an
 *   unexpected document skips the organization until the next run. A 401 (the owner's token was
 *   revoked) marks the backing broken, shown to the owners in the settings, and stops all checks
 *   until an owner connects again.
 * - A removal runs in one transaction that locks the organization and reads the membership again;
 *   the mail to the person and to the owners is queued in it.
 */

const actorOf = (backing: OrganizationBackingRow) => ({ userId: null, name: `GitHub organization ${backing.provider_org_login}` });

/** Removes a non-owner who left the GitHub organization; false when they were an owner or already gone. */
async function removeLeaver(ctx: AppContext, backing: OrganizationBackingRow, userId: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    const org = await lockOrganization(backing.organization_id, trx);
    // Backing may have been turned off while GitHub was asked: then nobody is removed.
    if (!org || !(await findOrganizationBacking(org.id, trx))) return false;
    const membership = await findMembership(org.id, userId, trx);
    if (!membership || membership.role === "owner") return false;
    const user = await findUserById(userId, trx);
    if (!user) return false;
    await deleteMembership(membership.id, trx);
    await recordOrgEvent(org.id, actorOf(backing), "member.removed", { user_id: user.id, username: user.username, role: membership.role, reason: "left_github_organization" }, trx);
    await ctx.mail.queue(backedMemberRemovedMail({ userId: user.id, to: user.email, recipient: user.username, orgName: org.name, providerOrg: backing.provider_org_login }), trx);
    for (const ownerId of await listMemberIdsWithRoles(org.id, ["owner"], trx)) {
      if (!(await wantsEmail(ownerId, "organization", trx))) continue;
      const owner = await findUserById(ownerId, trx);
      if (owner) {
        await ctx.mail.queue(backedMemberRemovedOwnersMail({ userId: owner.id, to: owner.email, recipient: owner.username, orgName: org.name, orgSlug: org.slug, member: user.username, providerOrg: backing.provider_org_login }), trx);
      }
    }
    return true;
  });
}

/** Adds someone who is in the GitHub organization as a member, when the owners allow joining on one's own. */
async function joinOnOwn(backing: OrganizationBackingRow, userId: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    const org = await lockOrganization(backing.organization_id, trx);
    const fresh = org ? await findOrganizationBacking(org.id, trx) : undefined;
    if (!org || !fresh?.self_join || fresh.broken_at) return false;
    const user = await findUserById(userId, trx);
    if (!user?.email_confirmed_at || !(await insertMembership({ organization_id: org.id, user_id: userId, role: "member" }, trx))) return false;
    await recordOrgEvent(org.id, actorOf(backing), "member.joined", { user_id: user.id, username: user.username, role: "member", via: "github_organization" }, trx);
    return true;
  });
}

/**
 * The whole check of one backed organization (the daily job): every member with GitHub linked who
 * is not in the GitHub organization's member list is removed (owners excepted). Returns how many.
 */
export async function recheckBacking(ctx: AppContext, backing: OrganizationBackingRow): Promise<number> {
  const config = gitHubConfig(ctx);
  const token = openBackingToken(ctx, backing);
  if (!config || !token) {
    await markBackingBroken(backing.organization_id);
    return 0;
  }
  let ids: Set<string>;
  try {
    ids = await listGitHubOrgMemberIds(config, token, backing.provider_org_login);
  } catch (err) {
    if (err instanceof GitHubTokenRejected) await markBackingBroken(backing.organization_id);
    else ctx.logger.warn({ err, organizationId: backing.organization_id }, "reading the backing GitHub organization failed; nobody removed");
    return 0;
  }
  let removed = 0;
  for (const m of await listMembersWithGitHub(backing.organization_id)) {
    if (m.role === "owner" || ids.has(m.provider_user_id)) continue;
    if (await removeLeaver(ctx, backing, m.user_id)) removed++;
  }
  await markBackingChecked(backing.organization_id);
  return removed;
}

/** Rechecks every working backing; returns how many members were removed in all. */
export async function recheckAllBackings(ctx: AppContext): Promise<number> {
  let removed = 0;
  for (const backing of await listWorkingBackings("github")) removed += await recheckBacking(ctx, backing);
  return removed;
}

/**
 * At a GitHub sign-in: for each backed organization, a member who left the GitHub organization is
 * removed, and someone in it joins when the owners allow that. `login` is the GitHub login the
 * sign-in just returned (fresh, so the membership endpoint can be asked by it). Errors are logged
 * and skipped: a sign-in never fails because of backing, and nobody is removed on an error.
 */
export async function checkBackingsAtSignIn(ctx: AppContext, userId: number, login: string): Promise<void> {
  const config = gitHubConfig(ctx);
  if (!config) return;
  for (const backing of await listWorkingBackings("github")) {
    const member = await findMembership(backing.organization_id, userId);
    if (member?.role === "owner" || (!member && !backing.self_join)) continue;
    const token = openBackingToken(ctx, backing);
    if (!token) continue;
    let inGitHubOrg: boolean;
    try {
      inGitHubOrg = await isGitHubOrgMember(config, token, backing.provider_org_login, login);
    } catch (err) {
      if (err instanceof GitHubTokenRejected) await markBackingBroken(backing.organization_id);
      else ctx.logger.warn({ err, organizationId: backing.organization_id }, "checking a GitHub organization membership at sign-in failed");
      continue;
    }
    if (member && !inGitHubOrg) await removeLeaver(ctx, backing, userId);
    else if (!member && inGitHubOrg) await joinOnOwn(backing, userId);
  }
}

/** How often one process rechecks: daily, as members leaving a GitHub organization is rare and sign-ins check too. */
const RECHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Runs the recheck now and then daily in this process; returns a stop function. Started by
 * src/server.ts beside the prunes, never by createApp(), so tests call recheckAllBackings
 * themselves. Several processes may run it at once: each removal locks and reads again.
 */
export function startBackingRecheck(ctx: AppContext, logger: Logger): () => void {
  const run = () =>
    recheckAllBackings(ctx)
      .then((removed) => {
        if (removed > 0) logger.info({ removed }, "removed members who left their organizations' GitHub organizations");
      })
      .catch((err) => logger.warn({ err }, "rechecking organization backing failed"));
  void run();
  const timer = setInterval(run, RECHECK_INTERVAL_MS).unref();
  return () => clearInterval(timer);
}
