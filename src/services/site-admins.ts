import { db } from "../db/knex";
import { countActiveSiteAdmins, lockSiteAdminChanges, setSiteAdmin } from "../db/site-admins";
import { findUserByUsername, lockUserById, type UserRow } from "../db/users";
import { HttpError } from "../lib/errors";
import { recordAdminAction, type AdminContext } from "./admin-audit";

/** Said when a revocation would leave the instance without a site admin who can sign in. */
export const LAST_ADMIN_MESSAGE = "This is the last site admin who can sign in: make someone else a site admin first.";

/** A site-admin rule refused the change (the last admin, a missing user). */
export class SiteAdminRuleError extends HttpError {}

/**
 * Makes `userId` a site admin, or stops them being one, and records it in the admin audit log.
 *
 * A revocation never leaves the instance without an active (unsuspended) site admin. The count and
 * the change happen under one advisory lock (lockSiteAdminChanges), so racing revocations are
 * decided one after the other and the second sees the first's result. Site admin is granted only
 * here: by another site admin, by `npm run admin -- grant` on the server, or by ADMIN_USERNAMES.
 */
export async function changeSiteAdmin(admin: AdminContext, userId: number, grant: boolean): Promise<UserRow> {
  return db.transaction(async (trx) => {
    await lockSiteAdminChanges(trx);
    const user = await lockUserById(userId, trx);
    if (!user) throw new SiteAdminRuleError(404, "User not found");
    if (user.is_site_admin === grant) return user;
    if (!grant && !user.suspended_at && (await countActiveSiteAdmins(trx)) <= 1) throw new SiteAdminRuleError(409, LAST_ADMIN_MESSAGE, "last_admin");
    const updated = (await setSiteAdmin(user.id, grant, trx))!;
    await recordAdminAction(admin, grant ? "site_admin.granted" : "site_admin.revoked", { type: "user", id: user.id, label: user.username }, {}, trx);
    return updated;
  });
}

/**
 * For actions that take an account out of use (suspension, deletion): refuses when `user` is the
 * last active site admin. Takes the same lock as changeSiteAdmin, so two admins suspending each
 * other at once cannot both succeed.
 */
export async function guardLastActiveAdmin(user: UserRow, trx: Parameters<typeof lockSiteAdminChanges>[0]): Promise<void> {
  if (await isLastActiveAdmin(user, trx)) throw new SiteAdminRuleError(409, LAST_ADMIN_MESSAGE, "last_admin");
}

/** True when `user` is the only active site admin (under the site-admin lock, held until the transaction ends). */
export async function isLastActiveAdmin(user: UserRow, trx: Parameters<typeof lockSiteAdminChanges>[0]): Promise<boolean> {
  if (!user.is_site_admin || user.suspended_at) return false;
  await lockSiteAdminChanges(trx);
  return (await countActiveSiteAdmins(trx)) <= 1;
}

/** The command-line actor of `npm run admin` and of ADMIN_USERNAMES. */
export function serverActor(what: string): AdminContext {
  return { actor: { id: null, username: what }, meta: { ip: null, userAgent: null } };
}

/** Grants or revokes by username from the server's command line; throws SiteAdminRuleError with the reason. */
export async function changeSiteAdminByUsername(username: string, grant: boolean): Promise<UserRow> {
  const user = await findUserByUsername(username);
  if (!user) throw new SiteAdminRuleError(404, `There is no user named ${username}.`);
  return changeSiteAdmin(serverActor("npm run admin"), user.id, grant);
}

/**
 * Makes every user named in ADMIN_USERNAMES a site admin (at start). Names without an account are
 * returned, for the log: the account may be created later, and the next start grants it then.
 */
export async function applyAdminUsernames(usernames: string[]): Promise<{ granted: string[]; missing: string[] }> {
  const granted: string[] = [];
  const missing: string[] = [];
  for (const name of usernames) {
    const user = await findUserByUsername(name);
    if (!user) missing.push(name);
    else if (!user.is_site_admin) {
      await changeSiteAdmin(serverActor("ADMIN_USERNAMES"), user.id, true);
      granted.push(user.username);
    }
  }
  return { granted, missing };
}
