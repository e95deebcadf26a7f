import { db, type Executor } from "./knex";

/**
 * The admin audit log (`admin_audit_events`). Append-only: this module has an insert and reads,
 * and the table's trigger refuses every UPDATE and DELETE (migrations/20261202150300_...).
 */
export interface AdminAuditEventRow {
  id: number;
  actor_id: number | null;
  actor_username: string;
  action: string;
  target_type: string | null;
  target_id: number | null;
  target_label: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
}

/** Appends one entry. */
export async function insertAdminAuditEvent(row: Omit<AdminAuditEventRow, "id" | "created_at" | "details"> & { details?: Record<string, unknown> }, q: Executor = db): Promise<void> {
  await q("admin_audit_events").insert({ ...row, details: JSON.stringify(row.details ?? {}) });
}

/** A page of the log, newest first. */
export function listAdminAuditEvents(limit: number, offset: number, q: Executor = db): Promise<AdminAuditEventRow[]> {
  return q<AdminAuditEventRow>("admin_audit_events").orderBy("id", "desc").limit(limit).offset(offset);
}

/** How many entries the log holds. */
export async function countAdminAuditEvents(q: Executor = db): Promise<number> {
  const row = await q("admin_audit_events").count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}
