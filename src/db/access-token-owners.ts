import type { AccessTokenRow } from "./access-tokens";
import { CoalescedLookup } from "./coalesced-lookup";
import { columnsAt, joinedAt } from "./knex";
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

// Every column of each row type, listed once; the row comes back with each table's columns side by
// side in this order (queryPrepared, columnsAt). A column added to a row type must be added here
// too, or this does not compile.
const TOKEN_COLUMNS = Object.keys({
  id: true, user_id: true, description: true, token_hash: true, token_prefix: true, last4: true, created_via: true, cli_client: true,
  cli_host: true, created_at: true, last_used_at: true, expires_at: true, revoked_at: true, organization_id: true, team_id: true,
  created_by_id: true, admin: true, can_create_tokens: true,
} satisfies Record<keyof ScopedAccessTokenRow, true>);
const ORGANIZATION_COLUMNS = Object.keys({ id: true, slug: true, name: true, created_at: true, updated_at: true, require_two_factor: true, join_policy: true } satisfies Record<keyof OrganizationRow, true>);
const TEAM_COLUMNS = Object.keys({ id: true, organization_id: true, name: true, created_at: true, updated_at: true } satisfies Record<keyof TeamRow, true>);

const TABLES = [
  { alias: "a", columns: TOKEN_COLUMNS },
  { alias: "u", columns: USER_COLUMNS },
  { alias: "o", columns: ORGANIZATION_COLUMNS },
  { alias: "t", columns: TEAM_COLUMNS },
] as const;
const USER_AT = TOKEN_COLUMNS.length;
const ORGANIZATION_AT = USER_AT + USER_COLUMNS.length;
const TEAM_AT = ORGANIZATION_AT + ORGANIZATION_COLUMNS.length;
const PENDING_EMAIL_AT = TEAM_AT + TEAM_COLUMNS.length;

// Sent on every API request, so written out once instead of built by the query builder each time
// (building it was a sixth of an API request's CPU), prepared once per connection (queryPrepared), and
// sent once for all requests that arrive together (CoalescedLookup: the hash picks each one's row).
// The team is joined only inside the token's own organization, as the composite foreign key also requires.
// A suspended owner's token finds nothing (organization tokens have no user row, so u.suspended_at is NULL).
// The user's pending email change comes last (an indexed lookup on email_codes' unique (user_id,
// purpose)): the API shows it with the user, and a separate query for it was a second round trip
// on every GET /api/v1/user.
const LIVE_TOKEN_WITH_OWNER = `SELECT ${TABLES.flatMap(({ alias, columns }) => columns.map((c) => `${alias}.${c}`)).join(", ")},
    (SELECT e.email FROM email_codes AS e WHERE e.user_id = a.user_id AND e.purpose = 'email_change' AND e.expires_at > now())
  FROM access_tokens AS a
    LEFT JOIN users AS u ON u.id = a.user_id
    LEFT JOIN organizations AS o ON o.id = a.organization_id
    LEFT JOIN teams AS t ON t.id = a.team_id AND t.organization_id = a.organization_id
  WHERE a.token_hash = ANY($1) AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now())
    AND u.suspended_at IS NULL`;
const liveTokensWithOwners = new CoalescedLookup<Buffer>("live-access-tokens-with-owners", LIVE_TOKEN_WITH_OWNER, TOKEN_COLUMNS.indexOf("token_hash"), (hash) => hash.toString("hex"));

/**
 * The unrevoked, unexpired token with this hash and its owner, or undefined: the one statement of a
 * bearer check (token_hash is unique, so it is one indexed lookup per token; the joins follow primary keys).
 * Expiry is compared in the database, so a token stops working on the first request after its
 * expiry whatever the app server's clock says.
 */
export async function findLiveAccessTokenWithOwnerByHash(tokenHash: Buffer): Promise<LiveAccessToken | undefined> {
  const [row] = await liveTokensWithOwners.rowsFor(tokenHash);
  if (!row) return undefined;
  return {
    token: columnsAt<ScopedAccessTokenRow>(TOKEN_COLUMNS, row),
    user: joinedAt<UserRow>(USER_COLUMNS, row, USER_AT),
    organization: joinedAt<OrganizationRow>(ORGANIZATION_COLUMNS, row, ORGANIZATION_AT),
    team: joinedAt<TeamRow>(TEAM_COLUMNS, row, TEAM_AT),
    pendingEmail: (row[PENDING_EMAIL_AT] as string | null) ?? null,
  };
}
