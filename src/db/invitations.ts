import { db, type Executor } from "./knex";
import type { OrgRole } from "./memberships";

export type InvitationStatus = "pending" | "accepted" | "declined" | "revoked";

export interface InvitationRow {
  id: number;
  organization_id: number;
  email: string;
  role: OrgRole;
  team_ids: number[];
  token_hash: Buffer;
  inviter_id: number | null;
  status: InvitationStatus;
  accepted_user_id: number | null;
  expires_at: Date;
  responded_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A pending invitation with the inviter's username, for lists. */
export interface InvitationListRow extends InvitationRow {
  inviter_username: string | null;
}

/** Inserts a pending invitation and returns it. */
export async function insertInvitation(
  fields: Pick<InvitationRow, "organization_id" | "email" | "role" | "team_ids" | "token_hash" | "inviter_id" | "expires_at">,
  q: Executor = db,
): Promise<InvitationRow> {
  const [row] = await q<InvitationRow>("invitations").insert(fields).returning("*");
  return row!;
}

/** The invitation with this link hash, whatever its state, or undefined. */
export function findInvitationByTokenHash(tokenHash: Buffer, q: Executor = db): Promise<InvitationRow | undefined> {
  return q<InvitationRow>("invitations").where({ token_hash: tokenHash }).first();
}

/** Locks the invitation with this link hash until the transaction ends, or undefined. */
export function lockInvitationByTokenHash(tokenHash: Buffer, trx: Executor): Promise<InvitationRow | undefined> {
  return trx<InvitationRow>("invitations").where({ token_hash: tokenHash }).forUpdate().first();
}

/** Locks the invitation with this id until the transaction ends, or undefined. */
export function lockInvitationById(id: number, trx: Executor): Promise<InvitationRow | undefined> {
  return trx<InvitationRow>("invitations").where({ id }).forUpdate().first();
}

/** The invitation with this id sent to this address (case-insensitively), or undefined: another address's id is unknown. */
export function findInvitationToAddress(id: number, email: string, q: Executor = db): Promise<InvitationRow | undefined> {
  return q<InvitationRow>("invitations").where({ id, email }).first();
}

/** The pending invitation with this id inside this organization, or undefined (ids from another org are unknown). */
export function findPendingInvitationInOrganization(organizationId: number, id: number, q: Executor = db): Promise<InvitationRow | undefined> {
  return q<InvitationRow>("invitations").where({ organization_id: organizationId, id, status: "pending" }).first();
}

/** The organization's pending invitation to this address, or undefined. */
export function findPendingInvitationForEmail(organizationId: number, email: string, q: Executor = db): Promise<InvitationRow | undefined> {
  return q<InvitationRow>("invitations").where({ organization_id: organizationId, email, status: "pending" }).first();
}

/** A page of the organization's pending invitations, newest first. */
export function listPendingInvitations(organizationId: number, limit: number, offset: number, q: Executor = db): Promise<InvitationListRow[]> {
  return q<InvitationListRow>("invitations as i")
    .leftJoin("users as u", "u.id", "i.inviter_id")
    .where({ "i.organization_id": organizationId, "i.status": "pending" })
    .select("i.*", "u.username as inviter_username")
    .orderBy("i.id", "desc")
    .limit(limit)
    .offset(offset);
}

/** How many pending invitations the organization has. */
export async function countPendingInvitations(organizationId: number, q: Executor = db): Promise<number> {
  const row = await q("invitations").where({ organization_id: organizationId, status: "pending" }).count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/** Gives a pending invitation a new link hash and expiry; the old link stops working. */
export async function renewInvitation(id: number, tokenHash: Buffer, expiresAt: Date, q: Executor = db): Promise<void> {
  await q("invitations").where({ id, status: "pending" }).update({ token_hash: tokenHash, expires_at: expiresAt, updated_at: q.fn.now() });
}

/** Moves a pending invitation to a final state; returns whether it was still pending. */
export async function closeInvitation(id: number, status: Exclude<InvitationStatus, "pending">, acceptedUserId: number | null, q: Executor = db): Promise<boolean> {
  const n = await q("invitations").where({ id, status: "pending" })
    .update({ status, accepted_user_id: acceptedUserId, responded_at: q.fn.now(), updated_at: q.fn.now() });
  return n > 0;
}

/** A live invitation to an address, with its organization's name and slug and the inviter's username. */
export interface AddressInvitationRow extends Pick<InvitationRow, "id" | "role" | "expires_at" | "created_at"> {
  org_name: string;
  org_slug: string;
  inviter_username: string | null;
}

/** The pending, unexpired invitations to this address (case-insensitively) from any organization, newest first, at most 20. */
export function listLiveInvitationsForEmail(email: string, q: Executor = db): Promise<AddressInvitationRow[]> {
  return q("invitations as i")
    .join("organizations as o", "o.id", "i.organization_id")
    .leftJoin("users as u", "u.id", "i.inviter_id")
    .where({ "i.email": email, "i.status": "pending" })
    .where("i.expires_at", ">", q.fn.now())
    .select("i.id", "i.role", "i.expires_at", "i.created_at", "o.name as org_name", "o.slug as org_slug", "u.username as inviter_username")
    .orderBy("i.id", "desc")
    .limit(20);
}
