import { db, type Executor } from "../db/knex";
import type { Logger } from "../lib/logger";
import { runPeriodically } from "../lib/periodic";

/**
 * How long an account may wait for its address to be confirmed before it is deleted. Until then
 * the username and the address are held by someone who has not shown they own the address, maybe
 * a squatter's pre-registration waiting for its victim; after a week they are free again. A week
 * covers the 48-hour confirmation link several times over (a fresh one can be sent meanwhile).
 */
export const UNCONFIRMED_ACCOUNT_DAYS = 7;

/** How often one process looks for expired unconfirmed accounts. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes the accounts whose address was never confirmed within UNCONFIRMED_ACCOUNT_DAYS of their
 * creation; returns how many went. The delete cascades to everything keyed by the user (sessions,
 * mailed links, identities, tokens, security log). It is one statement: an account confirmed at the
 * same moment is re-checked by PostgreSQL after the confirmation commits and kept. An account that
 * owns an organization is never removed here (it cannot get one unconfirmed, but the owner rule
 * would otherwise fail the whole statement), nor one an organization provisioned by SCIM.
 */
export async function pruneUnconfirmedAccounts(q: Executor = db): Promise<number> {
  return q("users")
    .whereNull("email_confirmed_at")
    .where("created_at", "<", q.raw(`now() - interval '${UNCONFIRMED_ACCOUNT_DAYS} days'`))
    .whereNotExists(q("memberships").select(q.raw("1")).whereRaw("memberships.user_id = users.id").where({ role: "owner" }))
    // An account an organization's identity provider provisioned waits for its person as long as
    // the organization keeps it: no squatter chose that address, the organization's IdP did.
    .whereNotExists(q("scim_users").select(q.raw("1")).whereRaw("scim_users.user_id = users.id"))
    .delete();
}

/**
 * Runs the prune now and then every hour in this process; returns a stop function. Started by
 * src/server.ts beside the mail worker, never by createApp(), so tests call the prune themselves.
 * Any number of processes may run it at once: the delete is idempotent.
 */
export function startUnconfirmedAccountPrune(logger: Logger): () => void {
  return runPeriodically(PRUNE_INTERVAL_MS, logger, "deleting unconfirmed accounts failed", async () => {
    const count = await pruneUnconfirmedAccounts();
    if (count > 0) logger.info({ count }, "deleted accounts never confirmed");
  });
}
