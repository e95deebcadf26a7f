import { db, type Executor } from "./knex";

/** Where a join request stands: waiting for a reviewer, or decided. */
export type JoinRequestStatus = "pending" | "approved" | "denied";

/** A request to join an organization (table join_requests). */
export interface JoinRequestRow {
  id: number;
  organization_id: number;
  user_id: number;
  email: string;
  status: JoinRequestStatus;
  decided_by_user_id: number | null;
  decided_at: Date | null;
  created_at: Date;
}

/** A pending request with the requester's account fields, for the reviewers' list. */
export interface JoinRequestListRow extends JoinRequestRow {
  username: string;
  display_name: string;
}

/**
 * Inserts a pending request unless this person already has one for this organization; returns the
 * new row, or undefined when one was pending already (the partial unique index decides, so two
 * requests at the same moment make one row).
 */
export async function insertPendingJoinRequest(fields: Pick<JoinRequestRow, "organization_id" | "user_id" | "email">, q: Executor = db): Promise<JoinRequestRow | undefined> {
  const rows = await q.raw<{ rows: JoinRequestRow[] }>(
    `INSERT INTO join_requests (organization_id, user_id, email) VALUES (?, ?, ?)
     ON CONFLICT (organization_id, user_id) WHERE status = 'pending' DO NOTHING RETURNING *`,
    [fields.organization_id, fields.user_id, fields.email],
  );
  return rows.rows[0];
}

/** This person's pending request to this organization, or undefined. */
export function findPendingJoinRequestForUser(organizationId: number, userId: number, q: Executor = db): Promise<JoinRequestRow | undefined> {
  return q<JoinRequestRow>("join_requests").where({ organization_id: organizationId, user_id: userId, status: "pending" }).first();
}

/** The ids of the organizations this person has a pending request to. */
export async function listPendingJoinRequestOrganizationIds(userId: number, q: Executor = db): Promise<number[]> {
  const rows = await q("join_requests").where({ user_id: userId, status: "pending" }).select("organization_id");
  return rows.map((r: { organization_id: number }) => r.organization_id);
}

/** Locks the pending request with this id inside this organization until the transaction ends, or undefined. */
export function lockPendingJoinRequest(organizationId: number, id: number, trx: Executor): Promise<JoinRequestRow | undefined> {
  return trx<JoinRequestRow>("join_requests").where({ organization_id: organizationId, id, status: "pending" }).forUpdate().first();
}

/** The organization's pending requests with the requesters' names, oldest first. */
export function listPendingJoinRequests(organizationId: number, q: Executor = db): Promise<JoinRequestListRow[]> {
  return q<JoinRequestListRow>("join_requests as r")
    .join("users as u", "u.id", "r.user_id")
    .where({ "r.organization_id": organizationId, "r.status": "pending" })
    .select("r.*", "u.username", "u.display_name")
    .orderBy("r.id");
}

/** Closes a pending request as approved or denied by `deciderId`. */
export async function closeJoinRequest(id: number, status: Exclude<JoinRequestStatus, "pending">, deciderId: number, q: Executor = db): Promise<void> {
  await q("join_requests").where({ id, status: "pending" }).update({ status, decided_by_user_id: deciderId, decided_at: q.fn.now() });
}
