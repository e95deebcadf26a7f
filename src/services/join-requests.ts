import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import { closeJoinRequest, insertPendingJoinRequest, listPendingJoinRequestOrganizationIds, lockPendingJoinRequest, type JoinRequestRow } from "../db/join-requests";
import { findMembership, insertMembership, listOrganizationsForUser, type MemberAddress } from "../db/memberships";
import { listJoinableOrganizationsForDomain, type JoinableOrganizationRow } from "../db/organization-domains";
import { findOrganizationBySlug, lockOrganization, type OrganizationRow } from "../db/organizations";
import { findUserById, type UserRow } from "../db/users";
import type { MailDraft } from "../emails/mail";
import { joinRequestDecidedMail } from "../emails/join-request-decided";
import { joinRequestReceivedMail } from "../emails/join-request-received";
import { organizationMemberJoinedMail } from "../emails/organization-member-joined";
import { emailDomain } from "../lib/domain-names";
import { forbidden, notFound } from "../lib/errors";
import { canReviewJoinRequests, type OrgActor } from "../policies/organizations";
import { membersWantingEmail, wantsEmail } from "./notification-preferences";
import { recordOrgEvent } from "./organization-log";

/**
 * Joining an organization without an invitation. Someone whose confirmed address is at a domain an
 * organization holds verified may ask to join it (policy "request": an owner or admin approves) or
 * join it at once as a member (policy "direct"). The address decides, never the request: the
 * organization is looked up by the address's domain, so naming another organization's slug finds
 * nothing, and the answer for it is the same 404 as for a slug that does not exist.
 */

/** An organization the user may join or ask to join, and whether their request is pending already. */
export interface JoinOption {
  org: JoinableOrganizationRow;
  pending: boolean;
}

/** The organizations the user's confirmed address lets them join, leaving out those they belong to. */
export async function joinOptionsFor(user: Pick<UserRow, "id" | "email" | "email_confirmed_at">): Promise<JoinOption[]> {
  const domain = user.email_confirmed_at ? emailDomain(user.email) : null;
  if (!domain) return [];
  const [orgs, memberships, pending] = await Promise.all([
    listJoinableOrganizationsForDomain(domain),
    listOrganizationsForUser(user.id),
    listPendingJoinRequestOrganizationIds(user.id),
  ]);
  const mine = new Set(memberships.map((m) => m.organization_id));
  return orgs.filter((o) => !mine.has(o.id)).map((org) => ({ org, pending: pending.includes(org.id) }));
}

/** What asking to join did. */
export type JoinOutcome = "joined" | "requested" | "already_member" | "already_requested";

/** Queues `mail(manager)` to each owner and admin but `except` who wants organization mail. */
async function mailManagers(ctx: AppContext, org: OrganizationRow, except: number, mail: (manager: MemberAddress) => MailDraft, trx: Executor) {
  const managers = await membersWantingEmail(org.id, ["owner", "admin"], "organization", trx);
  await ctx.mail.queueAll(managers.filter((m) => m.user_id !== except).map(mail), trx);
}

/**
 * Asks to join (or joins) the organization with this slug, as its policy says. Inside one
 * transaction that locks the organization, the policy and the verified domain are read fresh; the
 * pending-request index makes parallel requests one request, and the membership's unique key makes
 * parallel direct joins one membership.
 */
export async function requestToJoin(ctx: AppContext, user: UserRow, slug: string): Promise<{ outcome: JoinOutcome; org: OrganizationRow }> {
  // An unconfirmed address proves nothing about who holds it: such an account finds nothing.
  const domain = user.email_confirmed_at ? emailDomain(user.email) : null;
  const named = domain ? await findOrganizationBySlug(slug) : undefined;
  if (!domain || !named) throw notFound("Organization");
  return db.transaction(async (trx) => {
    const org = await lockOrganization(named.id, trx);
    const joinable = org ? (await listJoinableOrganizationsForDomain(domain, trx)).some((o) => o.id === org.id) : false;
    if (!org || !joinable) throw notFound("Organization");
    if (await findMembership(org.id, user.id, trx)) return { outcome: "already_member" as const, org };
    if (org.join_policy === "direct") {
      if (!(await insertMembership({ organization_id: org.id, user_id: user.id, role: "member" }, trx))) return { outcome: "already_member" as const, org };
      await recordOrgEvent(org.id, { userId: user.id, name: user.username }, "member.joined", { user_id: user.id, username: user.username, role: "member", email: user.email, domain }, trx);
      await mailManagers(ctx, org, user.id, (m) => organizationMemberJoinedMail({ userId: m.user_id, to: m.email, recipient: m.username, orgName: org.name, orgSlug: org.slug, member: user.username, role: "member", viaDomain: domain }), trx);
      return { outcome: "joined" as const, org };
    }
    const request = await insertPendingJoinRequest({ organization_id: org.id, user_id: user.id, email: user.email }, trx);
    if (!request) return { outcome: "already_requested" as const, org };
    await recordOrgEvent(org.id, { userId: user.id, name: user.username }, "join_request.created", { user_id: user.id, username: user.username, email: user.email }, trx);
    await mailManagers(ctx, org, user.id, (m) => joinRequestReceivedMail({ userId: m.user_id, to: m.email, recipient: m.username, orgName: org.name, orgSlug: org.slug, requester: user.username, email: user.email }), trx);
    return { outcome: "requested" as const, org };
  });
}

/**
 * Approves or denies a pending request of this organization (another organization's request id
 * is a 404). The request row is locked, so a request is decided once however often the buttons
 * are pressed; the reviewer's role is read again inside the transaction. Approving adds the person
 * as a member; either way they get a mail.
 */
export async function decideJoinRequest(ctx: AppContext, org: OrganizationRow, actor: OrgActor, id: number, approve: boolean): Promise<{ request: JoinRequestRow; username: string }> {
  return db.transaction(async (trx) => {
    await lockOrganization(org.id, trx);
    const fresh = actor.kind === "user" ? await findMembership(org.id, actor.user_id, trx) : null;
    if (!fresh || !canReviewJoinRequests(fresh)) throw forbidden();
    const request = await lockPendingJoinRequest(org.id, id, trx);
    if (!request) throw notFound("Join request");
    const requester = await findUserById(request.user_id, trx);
    if (!requester) throw notFound("Join request");
    await closeJoinRequest(request.id, approve ? "approved" : "denied", fresh.user_id, trx);
    const who = { user_id: requester.id, username: requester.username, email: request.email };
    await recordOrgEvent(org.id, { userId: fresh.user_id, name: "A former member" }, approve ? "join_request.approved" : "join_request.denied", who, trx);
    if (approve && (await insertMembership({ organization_id: org.id, user_id: requester.id, role: "member" }, trx))) {
      await recordOrgEvent(org.id, { userId: fresh.user_id, name: "A former member" }, "member.joined", { ...who, role: "member" }, trx);
    }
    if (await wantsEmail(requester.id, "organization", trx)) {
      await ctx.mail.queue(joinRequestDecidedMail({ userId: requester.id, to: requester.email, recipient: requester.username, orgName: org.name, orgSlug: org.slug, approved: approve }), trx);
    }
    return { request, username: requester.username };
  });
}
