import type { AccessTokenRow } from "./access-tokens";
import { queryPrepared } from "./knex";
import type { OrganizationRow } from "./organizations";
import type { TeamRow } from "./teams";
import { USER_COLUMNS, type UserRow } from "./users";

/** An access_tokens row with the organization scope columns that organization and team tokens use. */
export type ScopedAccessTokenRow = AccessTokenRow & { organization_id: number | null; team_id: number | null; created_by_id: number | null };

/** A live token and whoever it can act as: its user (personal), or its organization and team. */
export interface LiveAccessToken {
  token: ScopedAccessTokenRow;
  user?: UserRow;
  organization?: OrganizationRow;
  team?: TeamRow;
  /** The address of the user's pending, unexpired email change (personal tokens), or null. */
  pendingEmail: string | null;
}

// Every column of each row type, listed once: the joined tables share column names (id,
// created_at), so each joined table's are selected under its own prefix. A column added to a row
// type must be added here too, or this does not compile.
const TOKEN_COLUMNS = Object.keys({
  id: true, user_id: true, description: true, token_hash: true, token_prefix: true, last4: true, created_via: true, cli_client: true,
  cli_host: true, created_at: true, last_used_at: true, expires_at: true, revoked_at: true, organization_id: true, team_id: true,
  created_by_id: true, admin: true, can_create_tokens: true,
} satisfies Record<keyof ScopedAccessTokenRow, true>);
const ORGANIZATION_COLUMNS: Record<keyof OrganizationRow, true> = { id: true, slug: true, name: true, created_at: true, updated_at: true, require_two_factor: true, join_policy: true };
const TEAM_COLUMNS: Record<keyof TeamRow, true> = { id: true, organization_id: true, name: true, created_at: true, updated_at: true };

const JOINED = [
  { alias: "u", prefix: "user__", columns: USER_COLUMNS },
  { alias: "o", prefix: "organization__", columns: Object.keys(ORGANIZATION_COLUMNS) },
  { alias: "t", prefix: "team__", columns: Object.keys(TEAM_COLUMNS) },
] as const;

// Sent on every API request, so written out once instead of built by the query builder each time
// (building it was a sixth of an API request's CPU), and prepared once per connection (queryPrepared).
// The team is joined only inside the token's own organization, as the composite foreign key also requires.
// A suspended owner's token finds nothing (organization tokens have no user row, so u.suspended_at is NULL).
// The user's pending email change comes along (an indexed lookup on email_codes' unique (user_id,
// purpose)): the API shows it with the user, and a separate query for it was a second round trip
// on every GET /api/v1/user.
const PENDING_EMAIL = "pending_email__";
const LIVE_TOKEN_WITH_OWNER = `SELECT ${TOKEN_COLUMNS.map((c) => `a.${c}`).join(", ")},
    ${JOINED.flatMap(({ alias, prefix, columns }) => columns.map((c) => `${alias}.${c} AS "${prefix}${c}"`)).join(", ")},
    (SELECT e.email FROM email_codes AS e WHERE e.user_id = a.user_id AND e.purpose = 'email_change' AND e.expires_at > now()) AS "${PENDING_EMAIL}"
  FROM access_tokens AS a
    LEFT JOIN users AS u ON u.id = a.user_id
    LEFT JOIN organizations AS o ON o.id = a.organization_id
    LEFT JOIN teams AS t ON t.id = a.team_id AND t.organization_id = a.organization_id
  WHERE a.token_hash = $1 AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now())
    AND u.suspended_at IS NULL
  LIMIT 1`;

/** Takes the prefixed columns out of `row` as one object; undefined when the join found no row. */
function takePrefixed<T>(row: Record<string, unknown>, prefix: string): T | undefined {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    if (!key.startsWith(prefix)) continue;
    out[key.slice(prefix.length)] = row[key];
    delete row[key];
  }
  return out.id === null || out.id === undefined ? undefined : (out as T);
}

/**
 * The unrevoked, unexpired token with this hash and its owner, or undefined: the one statement of a
 * bearer check (token_hash is unique, so it is one indexed lookup; the joins follow primary keys).
 * Expiry is compared in the database, so a token stops working on the first request after its
 * expiry whatever the app server's clock says.
 */
export async function findLiveAccessTokenWithOwnerByHash(tokenHash: Buffer): Promise<LiveAccessToken | undefined> {
  const { rows } = await queryPrepared<Record<string, unknown>>("live-access-token-with-owner", LIVE_TOKEN_WITH_OWNER, [tokenHash]);
  const row = rows[0];
  if (!row) return undefined;
  const user = takePrefixed<UserRow>(row, "user__");
  const organization = takePrefixed<OrganizationRow>(row, "organization__");
  const team = takePrefixed<TeamRow>(row, "team__");
  const pendingEmail = (row[PENDING_EMAIL] as string | null | undefined) ?? null;
  delete row[PENDING_EMAIL];
  return { token: row as unknown as ScopedAccessTokenRow, user, organization, team, pendingEmail };
}
