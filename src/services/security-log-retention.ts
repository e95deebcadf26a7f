import { db, type Executor } from "../db/knex";
import { pruneOrganizationEventsOlderThan } from "../db/organization-events";
import { pruneUsedWebAuthnChallenges } from "../db/passkeys";
import { pruneSecurityEventsOlderThan } from "../db/security-events";
import type { Logger } from "../lib/logger";
import { runPeriodically } from "../lib/periodic";

/**
 * How long the personal and organization logs are kept: a year is long enough to look back on
 * anything a person or an auditor asks about, and short enough that a log is not a lifelong record
 * of someone's IP addresses and browsers.
 */
export const SECURITY_LOG_DAYS = 365;

/** How often one process prunes. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes log entries older than SECURITY_LOG_DAYS (personal and organization logs) and used
 * WebAuthn challenges past their expiry; returns how many rows of each went.
 */
export async function pruneSecurityLogs(q: Executor = db): Promise<{ securityEvents: number; organizationEvents: number; challenges: number }> {
  const securityEvents = await pruneSecurityEventsOlderThan(SECURITY_LOG_DAYS, q);
  const organizationEvents = await pruneOrganizationEventsOlderThan(SECURITY_LOG_DAYS, q);
  const challenges = await pruneUsedWebAuthnChallenges(q);
  return { securityEvents, organizationEvents, challenges };
}

/**
 * Runs the prune now and then every hour in this process; returns a stop function. Started by
 * src/server.ts beside the other prunes, never by createApp(), so tests call it themselves. Any
 * number of processes may run it at once: each delete is idempotent.
 */
export function startSecurityLogPrune(logger: Logger): () => void {
  return runPeriodically(PRUNE_INTERVAL_MS, logger, "pruning the security logs failed", async () => {
    const counts = await pruneSecurityLogs();
    if (counts.securityEvents + counts.organizationEvents > 0) logger.info(counts, "deleted security log entries older than a year");
  });
}
