import { db } from "../../src/db/knex";
import type { UserRow } from "../../src/db/users";
import { buildUser } from "./factories";

/** Inserts a confirmed site admin (as `npm run admin -- grant` would make one). */
export async function buildAdmin(opts: Parameters<typeof buildUser>[0] = {}): Promise<UserRow & { password: string }> {
  const user = await buildUser(opts);
  await db("users").where({ id: user.id }).update({ is_site_admin: true });
  return { ...user, is_site_admin: true };
}

/** The admin audit log's entries, oldest first. */
export function auditEntries(): Promise<{ actor_username: string; action: string; target_label: string | null; target_id: number | null; ip: string | null; user_agent: string | null; details: Record<string, unknown> }[]> {
  return db("admin_audit_events").orderBy("id");
}
