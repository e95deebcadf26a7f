import type { AppContext } from "../context";
import { displayAccessToken } from "../auth/access-token-format";
import { claimAccessTokensToRemind, type ExpiringAccessToken } from "../db/access-tokens";
import { db } from "../db/knex";
import { accessTokensExpiringMail } from "../emails/access-tokens-expiring";
import type { Logger } from "../lib/logger";
import { runPeriodically } from "../lib/periodic";
import { formatDateTime } from "../lib/time-words";

/** How long before its expiry a personal token's owner hears about it: a week, time to replace it where it is used. */
export const REMINDER_DAYS = 7;

/** How often one process looks for tokens to remind of: hourly, so a reminder comes within the hour it is due. */
const REMINDER_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Mails the owner of every personal access token that expires within REMINDER_DAYS (and was made
 * to last longer), one mail per account listing its tokens, each token once. The tokens are marked
 * and the mails queued in one transaction, so a failure leaves both undone for the next run, and
 * no token is ever reminded of twice. It is a notice about the account's own credentials, so it
 * goes out whatever the account's mail choices, as the notice of a new token does. Returns the
 * number of mails queued.
 */
export async function remindOfExpiringTokens(ctx: AppContext): Promise<number> {
  return db.transaction(async (trx) => {
    const tokens = await claimAccessTokensToRemind(REMINDER_DAYS, trx);
    if (tokens.length === 0) return 0;
    const byOwner = new Map<number, ExpiringAccessToken[]>();
    for (const t of tokens) byOwner.set(t.user_id, [...(byOwner.get(t.user_id) ?? []), t]);
    const mails = [...byOwner.values()].map((owned) => {
      const { user_id, email, username } = owned[0]!;
      const lines = owned.map((t) => ({ description: t.description, hint: displayAccessToken(t.token_prefix, t.last4), expiresOn: formatDateTime(t.expires_at) }));
      return accessTokensExpiringMail({ userId: user_id, to: email, username, days: REMINDER_DAYS, tokens: lines });
    });
    await ctx.mail.queueAll(mails, trx);
    return mails.length;
  });
}

/** Runs the reminders now and then hourly in this process; returns a stop function. Started by src/server.ts. */
export function startTokenExpiryReminders(ctx: AppContext, logger: Logger): () => void {
  return runPeriodically(REMINDER_INTERVAL_MS, logger, "reminding of expiring access tokens failed", async () => {
    const mails = await remindOfExpiringTokens(ctx);
    if (mails > 0) logger.info({ mails }, "reminded accounts of access tokens expiring soon");
  });
}
