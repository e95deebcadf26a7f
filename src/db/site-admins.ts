import type { Executor } from "./knex";
import type { UserRow } from "./users";

/**
 * Takes the transaction-scoped lock that every change of who is a site admin holds, so that two
 * changes never decide on the same count: without it, two admins revoking each other at once would
 * each see the other still an admin and both commit, leaving none.
 */
export async function lockSiteAdminChanges(trx: Executor): Promise<void> {
  await trx.raw("SELECT pg_advisory_xact_lock(hashtext('gatehouse.site_admins'))");
}

/** How many accounts are site admins and not suspended (the ones who can still sign in and act). */
export async function countActiveSiteAdmins(q: Executor): Promise<number> {
  const row = await q("users").where({ is_site_admin: true }).whereNull("suspended_at").count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/** Sets or clears a user's site-admin flag; returns the updated row, or undefined for no such user. */
export async function setSiteAdmin(userId: number, isSiteAdmin: boolean, q: Executor): Promise<UserRow | undefined> {
  const [row] = await q<UserRow>("users").where({ id: userId }).update({ is_site_admin: isSiteAdmin, updated_at: q.fn.now() as unknown as Date }).returning("*");
  return row;
}
