import { db, type Executor } from "./knex";

/** How a token came to be: the settings page, the JSON API or a CLI sign-in through the browser. */
export type AccessTokenOrigin = "web" | "api" | "cli";

export interface AccessTokenRow {
  id: number;
  user_id: number;
  description: string;
  token_hash: Buffer;
  token_prefix: string;
  last4: string;
  created_via: AccessTokenOrigin;
  cli_client: string | null;
  cli_host: string | null;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  /** Made for admin use (only site admins can make one): the admin API takes no other token. */
  admin: boolean;
  /** Whether this token may create tokens through the API (set only on the settings page). */
  can_create_tokens: boolean;
}

/** Inserts a token row and returns it. */
export async function insertAccessToken(
  fields: Pick<AccessTokenRow, "user_id" | "description" | "token_hash" | "token_prefix" | "last4" | "created_via" | "expires_at"> &
    Partial<Pick<AccessTokenRow, "cli_client" | "cli_host" | "admin" | "can_create_tokens">>,
  q: Executor = db,
): Promise<AccessTokenRow> {
  const [row] = await q<AccessTokenRow>("access_tokens").insert(fields).returning("*");
  return row!;
}

/**
 * Sets last_used_at to now unless it was set less than a minute ago, so a busy token costs at most
 * one write a minute; the condition lives in the UPDATE so concurrent requests cannot both write.
 */
export async function touchAccessToken(id: number, q: Executor = db): Promise<void> {
  await q("access_tokens")
    .where({ id })
    .where((w) => w.whereNull("last_used_at").orWhereRaw("last_used_at < now() - interval '1 minute'"))
    .update({ last_used_at: q.fn.now() });
}

/** A page of a user's unrevoked personal tokens (expired ones included), newest first. */
export function listAccessTokensForUser(userId: number, limit: number, offset: number, q: Executor = db): Promise<AccessTokenRow[]> {
  return q<AccessTokenRow>("access_tokens")
    .where({ user_id: userId })
    .whereNull("revoked_at")
    .orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }])
    .limit(limit)
    .offset(offset);
}

/** How many unrevoked personal tokens a user has. */
export async function countAccessTokensForUser(userId: number, q: Executor = db): Promise<number> {
  const row = await q("access_tokens").where({ user_id: userId }).whereNull("revoked_at").count<{ count: string }[]>("* as count").first();
  return Number(row?.count ?? 0);
}

/**
 * One of the user's unrevoked tokens by id, or undefined. Filtering by the owner in the query is
 * what makes someone else's token id a 404.
 */
export function findAccessTokenForUser(userId: number, id: number, q: Executor = db): Promise<AccessTokenRow | undefined> {
  return q<AccessTokenRow>("access_tokens").where({ id, user_id: userId }).whereNull("revoked_at").first();
}

/** Revokes one of the user's tokens; returns the row, or undefined when it is not theirs or already revoked. */
export async function revokeAccessTokenForUser(userId: number, id: number, q: Executor = db): Promise<AccessTokenRow | undefined> {
  const [row] = await q<AccessTokenRow>("access_tokens")
    .where({ id, user_id: userId })
    .whereNull("revoked_at")
    .update({ revoked_at: q.fn.now() as unknown as Date })
    .returning("*");
  return row;
}

/**
 * The user's live tokens that CLIs received through the browser sign-in (newest first, at most
 * `limit`): the "CLI sign-ins" of the sessions page.
 */
export function listLiveCliTokensForUser(userId: number, limit: number, q: Executor = db): Promise<AccessTokenRow[]> {
  return q<AccessTokenRow>("access_tokens")
    .where({ user_id: userId, created_via: "cli" })
    .whereNull("revoked_at")
    .where((w) => w.whereNull("expires_at").orWhere("expires_at", ">", q.fn.now()))
    .orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }])
    .limit(limit);
}

/** The user's personal tokens that still work (unrevoked, unexpired), newest first. */
export function listLiveAccessTokensForUser(userId: number, q: Executor = db): Promise<AccessTokenRow[]> {
  return q<AccessTokenRow>("access_tokens")
    .where({ user_id: userId })
    .whereNull("revoked_at")
    .where((w) => w.whereNull("expires_at").orWhere("expires_at", ">", q.fn.now()))
    .orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }]);
}

/** The user's live personal tokens that expire before `before`, soonest first. */
export function listAccessTokensExpiringForUser(userId: number, before: Date, q: Executor = db): Promise<AccessTokenRow[]> {
  return q<AccessTokenRow>("access_tokens")
    .where({ user_id: userId })
    .whereNull("revoked_at")
    .where("expires_at", ">", q.fn.now())
    .where("expires_at", "<=", before)
    .orderBy([{ column: "expires_at", order: "asc" }, { column: "id", order: "asc" }])
    .limit(20);
}

/** What a reminder lists of a token. */
type RemindedToken = Pick<AccessTokenRow, "id" | "description" | "token_prefix" | "last4"> & { expires_at: Date };

/** A personal token whose owner is to be reminded that it expires soon, with the owner's name and address. */
export type ExpiringAccessToken = RemindedToken & { user_id: number; username: string; email: string };

/** An organization or team token due for a reminder, with its organization. */
export type ExpiringOrganizationToken = RemindedToken & { organization_id: number; slug: string; name: string };

/**
 * How each kind of token is claimed for a reminder: the column its tokens fill in (`owner`), the
 * table of whoever is to be told, joined on `link` (which also leaves suspended accounts out), and
 * the columns it brings along.
 */
const REMINDER_CLAIMS = {
  personal: { owner: "user_id", from: "users AS u", link: "u.id = a.user_id AND u.suspended_at IS NULL", joined: "a.user_id, u.username, u.email" },
  organization: { owner: "organization_id", from: "organizations AS o", link: "o.id = a.organization_id", joined: "a.organization_id, o.slug, o.name" },
};

/**
 * Marks as reminded, and returns, the tokens of one kind due for a reminder: live ones that expire
 * within `withinDays` and were made to last longer than that (a token made for a day needs no
 * reminder). One statement: SKIP LOCKED lets two processes running the job at once take disjoint
 * sets, and a row marked here is never returned again, so no token is reminded of twice.
 */
async function claimDueForReminder<T>(claim: (typeof REMINDER_CLAIMS)[keyof typeof REMINDER_CLAIMS], withinDays: number, q: Executor): Promise<T[]> {
  const { rows } = await q.raw<{ rows: T[] }>(
    `UPDATE access_tokens AS a SET expiry_reminded_at = now()
     FROM ${claim.from}
     WHERE ${claim.link} AND a.id IN (
       SELECT t.id FROM access_tokens t
       WHERE t.${claim.owner} IS NOT NULL AND t.revoked_at IS NULL AND t.expiry_reminded_at IS NULL
         AND t.expires_at > now() AND t.expires_at <= now() + make_interval(days => ?)
         AND t.expires_at - t.created_at > make_interval(days => ?)
       ORDER BY t.expires_at, t.id
       FOR UPDATE OF t SKIP LOCKED)
     RETURNING a.id, a.description, a.token_prefix, a.last4, a.expires_at, ${claim.joined}`,
    [withinDays, withinDays],
  );
  return rows;
}

/** Claims the personal tokens of unsuspended accounts due for a reminder (claimDueForReminder). */
export function claimAccessTokensToRemind(withinDays: number, q: Executor = db): Promise<ExpiringAccessToken[]> {
  return claimDueForReminder(REMINDER_CLAIMS.personal, withinDays, q);
}

/** Claims the organization and team tokens due for a reminder (claimDueForReminder). */
export function claimOrganizationTokensToRemind(withinDays: number, q: Executor = db): Promise<ExpiringOrganizationToken[]> {
  return claimDueForReminder(REMINDER_CLAIMS.organization, withinDays, q);
}

/** Revokes every personal token of the user that still works; returns the revoked rows, newest first. */
export async function revokeLiveAccessTokensForUser(userId: number, q: Executor = db): Promise<AccessTokenRow[]> {
  const rows = await q<AccessTokenRow>("access_tokens")
    .where({ user_id: userId })
    .whereNull("revoked_at")
    .where((w) => w.whereNull("expires_at").orWhere("expires_at", ">", q.fn.now()))
    .update({ revoked_at: q.fn.now() as unknown as Date })
    .returning("*");
  return rows.sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || b.id - a.id);
}
