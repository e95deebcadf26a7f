import type { AppContext } from "../context";
import { db, type Executor } from "../db/knex";
import {
  closeInvitation,
  findInvitationByTokenHash,
  findInvitationToAddress,
  findPendingInvitationForEmail,
  findPendingInvitationInOrganization,
  insertInvitation,
  lockInvitationById,
  lockInvitationByTokenHash,
  renewInvitation,
  type InvitationRow,
} from "../db/invitations";
import { findMemberIdByEmail, findMembership, insertMembership } from "../db/memberships";
import { findOrganizationById, lockOrganization, type OrganizationRow } from "../db/organizations";
import { filterTeamIdsInOrganization, insertTeamMembership } from "../db/teams";
import { findUserById, type UserRow } from "../db/users";
import { organizationInvitationMail } from "../emails/organization-invitation";
import { organizationMemberJoinedMail } from "../emails/organization-member-joined";
import { orgEventActor, recordOrgEvent } from "./organization-log";
import { consumeAllOrThrow } from "./rate-limits";
import { forbidden, isUniqueViolation, notFound, ownersInPerson, ValidationError } from "../lib/errors";
import { hashToken, randomToken } from "../lib/tokens";
import { canInviteWithRole, type Actor, type OrgRole } from "../policies/organizations";
import { membersWantingEmail } from "./notification-preferences";

/** How long an invitation link works. */
export const INVITATION_DAYS = 7;

/** What an invitation is made of (validated by the web form's and the API's schemas). */
export interface InvitationInput {
  email: string;
  role: OrgRole;
  /** Team ids; each must be a team of the organization. */
  teams: number[];
}

const PENDING_EXISTS = "An invitation to this address is already pending. Resend it from the list below.";
const OWN_ADDRESS = "That is your own address: you are already a member.";
const ALREADY_MEMBER = "Someone with this address is already a member. Change their role on the members page instead.";

/**
 * Refuses an address that already belongs to a member (the inviter's own, or another member's).
 * Only this organization's members are looked at: owners and admins see their members' addresses
 * on the members page anyway, so this tells them nothing new, and an address without a membership
 * here gets the same answer whether or not it has an account.
 */
async function refuseMemberAddress(org: OrganizationRow, inviter: Inviter, email: string) {
  const memberId = await findMemberIdByEmail(org.id, email);
  if (memberId === undefined) return;
  throw new ValidationError({ email: memberId === inviter.id ? OWN_ADDRESS : ALREADY_MEMBER });
}

function newLink() {
  const token = randomToken();
  return { token, hash: hashToken(token), expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000) };
}

/** Who sends an invitation: a person (by user id), or the organization itself through its token (id null). */
export interface Inviter {
  id: number | null;
  name: string;
}

/**
 * Spends one invitation from each allowance: the organization's, the inviter's across all
 * organizations, and the recipient address's across all organizations. The last two are why an
 * account cannot mail an inbox without limit by creating organizations, nor can many accounts
 * together: the address, not the organization, is the victim. An organization's tokens together
 * count as one inviter.
 */
async function spendInvitation(ctx: AppContext, org: OrganizationRow, inviter: Inviter, email: string) {
  const { invitationsPerOrg, invitationsPerInviter, invitationsPerRecipient } = ctx.limits;
  await consumeAllOrThrow([
    [invitationsPerOrg, String(org.id)],
    [invitationsPerInviter, inviter.id !== null ? `user:${inviter.id}` : `org:${org.id}`],
    [invitationsPerRecipient, email.trim().toLowerCase()],
  ]);
}

async function queueInvitationMail(ctx: AppContext, org: OrganizationRow, inviter: string, inv: Pick<InvitationRow, "email" | "role">, token: string, q = db) {
  await ctx.mail.queue(organizationInvitationMail({ userId: null, to: inv.email, orgName: org.name, inviter, role: inv.role, token, days: INVITATION_DAYS }), q);
}

/**
 * Invites an address with a role and optional teams, limited per organization, inviter and
 * recipient (spendInvitation). The route authorized managing invitations; the role asked for is
 * checked here (never above the actor's own; owners are invited by owners in person). An address
 * of a member of this organization is refused (refuseMemberAddress); otherwise whether the address
 * has an account is never looked at: the answer and the mail are the same either way, so the form
 * cannot be used to find accounts. Two invitations to one address racing each other both pass the
 * checks above; the partial unique index invitations_pending_unique (citext email) lets one insert
 * win and the other gets the same 422.
 */
export async function createInvitation(
  ctx: AppContext,
  org: OrganizationRow,
  actor: Actor | null,
  inviter: Inviter,
  input: InvitationInput,
): Promise<InvitationRow> {
  if (input.role === "owner" && actor?.viaToken) throw ownersInPerson();
  if (!canInviteWithRole(actor, input.role)) throw new ValidationError({ role: "You cannot invite someone with a role above your own." });
  const wanted = [...new Set(input.teams)];
  const teams = await filterTeamIdsInOrganization(org.id, wanted);
  if (teams.length !== wanted.length) throw new ValidationError({ teams: "Choose teams of this organization." });
  await refuseMemberAddress(org, inviter, input.email);
  if (await findPendingInvitationForEmail(org.id, input.email)) throw new ValidationError({ email: PENDING_EXISTS });
  await spendInvitation(ctx, org, inviter, input.email);
  const link = newLink();
  try {
    const invitation = await db.transaction(async (trx) => {
      const row = await insertInvitation(
        { organization_id: org.id, email: input.email, role: input.role, team_ids: teams, token_hash: link.hash, inviter_id: inviter.id, expires_at: link.expiresAt },
        trx,
      );
      await queueInvitationMail(ctx, org, inviter.name, row, link.token, trx);
      await recordOrgEvent(org.id, { userId: inviter.id, name: inviter.name }, "invitation.created", { email: row.email, role: row.role }, trx);
      return row;
    });
    return invitation;
  } catch (err) {
    if (isUniqueViolation(err, "invitations_pending_unique")) throw new ValidationError({ email: PENDING_EXISTS });
    throw err;
  }
}

/** Mails a new link for a pending invitation; the old link stops working and the 7 days start again. */
export async function resendInvitation(ctx: AppContext, org: OrganizationRow, actor: Actor | null, inviter: Inviter, id: number): Promise<InvitationRow> {
  const inv = await findPendingInvitationInOrganization(org.id, id);
  if (!inv) throw notFound("Invitation");
  // Admins cannot touch owners: that includes invitations that would make someone an owner.
  if (!canInviteWithRole(actor, inv.role)) throw forbidden();
  await spendInvitation(ctx, org, inviter, inv.email);
  const link = newLink();
  await db.transaction(async (trx) => {
    await renewInvitation(inv.id, link.hash, link.expiresAt, trx);
    await queueInvitationMail(ctx, org, inviter.name, inv, link.token, trx);
    await recordOrgEvent(org.id, { userId: inviter.id, name: inviter.name }, "invitation.resent", { email: inv.email, role: inv.role }, trx);
  });
  return inv;
}

/** Revokes a pending invitation: its link stops working at once. */
export async function revokeInvitation(org: OrganizationRow, actor: Actor | null, id: number): Promise<InvitationRow> {
  const inv = await findPendingInvitationInOrganization(org.id, id);
  if (!inv) throw notFound("Invitation");
  if (!canInviteWithRole(actor, inv.role)) throw forbidden();
  await db.transaction(async (trx) => {
    if (await closeInvitation(inv.id, "revoked", null, trx)) {
      await recordOrgEvent(org.id, orgEventActor(actor), "invitation.revoked", { email: inv.email, role: inv.role }, trx);
    }
  });
  return inv;
}

/** What the invitation page shows: a live invitation with its organization and inviter. */
export interface InvitationView {
  invitation: InvitationRow;
  org: OrganizationRow;
  inviter: string | null;
}

/** The live (pending, unexpired) invitation behind a link, or undefined for any other link. */
export async function findLiveInvitation(token: string): Promise<InvitationView | undefined> {
  const invitation = await findInvitationByTokenHash(hashToken(token));
  return invitation ? liveView(invitation) : undefined;
}

async function liveView(invitation: InvitationRow): Promise<InvitationView | undefined> {
  if (invitation.status !== "pending" || invitation.expires_at.getTime() <= Date.now()) return undefined;
  const org = await findOrganizationById(invitation.organization_id);
  if (!org) return undefined;
  const inviter = invitation.inviter_id ? await findUserById(invitation.inviter_id) : undefined;
  return { invitation, org, inviter: inviter?.username ?? null };
}

/**
 * A live invitation to the user's own confirmed address, by id, or undefined. The list of one's
 * invitations links here, since only the link's hash is stored: holding a confirmed address proves
 * as much as holding the link mailed to it, and an id for another address finds nothing.
 */
export async function findLiveInvitationForUser(id: number, user: Pick<UserRow, "email" | "email_confirmed_at">): Promise<InvitationView | undefined> {
  if (!user.email_confirmed_at) return undefined;
  const found = await findInvitationToAddress(id, user.email);
  return found ? liveView(found) : undefined;
}

/** Why a signed-in user may not answer an invitation, or null when they may. */
export function invitationBlocker(invitation: Pick<InvitationRow, "email">, user: Pick<UserRow, "email" | "email_confirmed_at">): "other_address" | "unconfirmed" | null {
  // The invitation belongs to the address it was sent to: whoever holds the link must also have
  // proven that they own that address on their account.
  if (user.email.toLowerCase() !== invitation.email.toLowerCase()) return "other_address";
  if (!user.email_confirmed_at) return "unconfirmed";
  return null;
}

/** An invitation as its link (the token) or, for its addressee, by id. */
export type InvitationRef = string | { id: number };

const lockRef = (ref: InvitationRef, trx: Executor) => (typeof ref === "string" ? lockInvitationByTokenHash(hashToken(ref), trx) : lockInvitationById(ref.id, trx));

export type AnswerResult = { ok: true; org: OrganizationRow; alreadyMember: boolean } | { ok: false; reason: "gone" | "other_address" | "unconfirmed" };

/**
 * Accepts an invitation for the signed-in user. The invitation row is locked so a link is used
 * once; the role and teams come from the row alone (nothing in the request can change them). Someone
 * who already belongs keeps their role. Owners and admins are told (if they want organization mail).
 */
export async function acceptInvitation(ctx: AppContext, ref: InvitationRef, user: UserRow): Promise<AnswerResult> {
  const result = await db.transaction(async (trx): Promise<AnswerResult> => {
    const inv = await lockRef(ref, trx);
    if (!inv || inv.status !== "pending" || inv.expires_at.getTime() <= Date.now()) return { ok: false, reason: "gone" };
    const blocker = invitationBlocker(inv, user);
    if (blocker) return { ok: false, reason: blocker };
    const org = await lockOrganization(inv.organization_id, trx);
    if (!org) return { ok: false, reason: "gone" };
    const added = await insertMembership({ organization_id: org.id, user_id: user.id, role: inv.role }, trx);
    for (const teamId of await filterTeamIdsInOrganization(org.id, inv.team_ids, trx)) {
      await insertTeamMembership({ organization_id: org.id, team_id: teamId, user_id: user.id }, trx);
    }
    await closeInvitation(inv.id, "accepted", user.id, trx);
    if (added) await recordOrgEvent(org.id, { userId: user.id, name: user.username }, "member.joined", { user_id: user.id, username: user.username, role: inv.role, email: inv.email }, trx);
    if (added) {
      const managers = (await membersWantingEmail(org.id, ["owner", "admin"], "organization", trx)).filter((m) => m.user_id !== user.id);
      await ctx.mail.queueAll(
        managers.map((m) => organizationMemberJoinedMail({ userId: m.user_id, to: m.email, recipient: m.username, orgName: org.name, orgSlug: org.slug, member: user.username, role: inv.role })),
        trx,
      );
    }
    return { ok: true, org, alreadyMember: !added };
  });
  return result;
}

/** Declines an invitation for the signed-in user (bound to the address like accepting). */
export async function declineInvitation(ref: InvitationRef, user: UserRow): Promise<AnswerResult> {
  return db.transaction(async (trx): Promise<AnswerResult> => {
    const inv = await lockRef(ref, trx);
    if (!inv || inv.status !== "pending" || inv.expires_at.getTime() <= Date.now()) return { ok: false, reason: "gone" };
    const blocker = invitationBlocker(inv, user);
    if (blocker) return { ok: false, reason: blocker };
    const org = await findOrganizationById(inv.organization_id, trx);
    if (!org) return { ok: false, reason: "gone" };
    await closeInvitation(inv.id, "declined", null, trx);
    await recordOrgEvent(org.id, { userId: user.id, name: user.username }, "invitation.declined", { email: inv.email, role: inv.role }, trx);
    return { ok: true, org, alreadyMember: Boolean(await findMembership(org.id, user.id, trx)) };
  });
}
