import type { AppContext } from "../context";
import { displayAccessToken } from "../auth/access-token-format";
import { claimAccessTokensToRemind, claimOrganizationTokensToRemind } from "../db/access-tokens";
import { db, type Executor } from "../db/knex";
import { accessTokensExpiringMail, type ExpiringTokenLine } from "../emails/access-tokens-expiring";
import type { MailDraft } from "../emails/mail";
import { organizationTokensExpiringMail } from "../emails/organization-tokens-expiring";
import type { Logger } from "../lib/logger";
import { runPeriodically } from "../lib/periodic";
import { formatDateTime } from "../lib/time-words";
import { membersWantingEmail } from "./notification-preferences";

/** How long before its expiry a token's people hear about it: a week, time to replace it where it is used. */
export const REMINDER_DAYS = 7;

/** How often one process looks for tokens to remind of: hourly, so a reminder comes within the hour it is due. */
const REMINDER_INTERVAL_MS = 60 * 60 * 1000;

/** `rows` grouped by `key`, the groups in the order their first rows came. */
function groupBy<T>(rows: T[], key: (row: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return [...groups.values()];
}

const lineOf = (t: { description: string; token_prefix: string; last4: string; expires_at: Date }): ExpiringTokenLine => ({
  description: t.description,
  hint: displayAccessToken(t.token_prefix, t.last4),
  expiresOn: formatDateTime(t.expires_at),
});

/**
 * A personal token's owner hears of it whatever their mail choices: it is about their own
 * credentials, like the notice of a new token.
 */
async function personalReminders(trx: Executor): Promise<MailDraft[]> {
  return groupBy(await claimAccessTokensToRemind(REMINDER_DAYS, trx), (t) => t.user_id).map((owned) => {
    const { user_id, email, username } = owned[0]!;
    return accessTokensExpiringMail({ userId: user_id, to: email, username, days: REMINDER_DAYS, tokens: owned.map(lineOf) });
  });
}

/** An organization's and its teams' tokens go to its owners, who alone manage them, as organization mail. */
async function organizationReminders(trx: Executor): Promise<MailDraft[]> {
  const mails: MailDraft[] = [];
  for (const tokens of groupBy(await claimOrganizationTokensToRemind(REMINDER_DAYS, trx), (t) => t.organization_id)) {
    const { organization_id, name, slug } = tokens[0]!;
    for (const owner of await membersWantingEmail(organization_id, ["owner"], "organization", trx)) {
      mails.push(organizationTokensExpiringMail({ userId: owner.user_id, to: owner.email, recipient: owner.username, orgName: name, orgSlug: slug, days: REMINDER_DAYS, tokens: tokens.map(lineOf) }));
    }
  }
  return mails;
}

/**
 * Mails reminders of every access token that expires within REMINDER_DAYS (and was made to last
 * longer): one mail per account for its personal tokens, and one per owner for an organization's
 * tokens, each token once. The tokens are marked and the mails queued in one transaction, so a
 * failure leaves both undone for the next run, and no token is ever reminded of twice. Returns the
 * number of mails queued.
 */
export async function remindOfExpiringTokens(ctx: AppContext): Promise<number> {
  return db.transaction(async (trx) => {
    const mails = [...(await personalReminders(trx)), ...(await organizationReminders(trx))];
    await ctx.mail.queueAll(mails, trx);
    return mails.length;
  });
}

/** Runs the reminders now and then hourly in this process; returns a stop function. Started by src/server.ts. */
export function startTokenExpiryReminders(ctx: AppContext, logger: Logger): () => void {
  return runPeriodically(REMINDER_INTERVAL_MS, logger, "reminding of expiring access tokens failed", async () => {
    const mails = await remindOfExpiringTokens(ctx);
    if (mails > 0) logger.info({ mails }, "reminded of access tokens expiring soon");
  });
}
