import type { Knex } from "knex";
import type { AccessTokenRow } from "./access-tokens";
import { db, type Executor } from "./knex";
import type { OrganizationRow } from "./organizations";
import type { TeamRow } from "./teams";
import type { UserRow } from "./users";

/** An access_tokens row with the organization scope columns that organization and team tokens use. */
export type ScopedAccessTokenRow = AccessTokenRow & { organization_id: number | null; team_id: number | null; created_by_id: number | null };

/** A live token and whoever it can act as: its user (personal), or its organization and team. */
export interface LiveAccessToken {
  token: ScopedAccessTokenRow;
  user?: UserRow;
  organization?: OrganizationRow;
  team?: TeamRow;
}

// Every column of each joined row type, listed once: the joined tables share column names (id,
// created_at), so each is selected under its own prefix. A column added to a row type must be
// added here too, or this does not compile.
const USER_COLUMNS: Record<keyof UserRow, true> = {
  id: true, username: true, email: true, email_confirmed_at: true, password_hash: true, display_name: true,
  bio: true, links: true, profile_public: true, gravatar_public: true, created_at: true, updated_at: true,
};
const ORGANIZATION_COLUMNS: Record<keyof OrganizationRow, true> = { id: true, slug: true, name: true, created_at: true, updated_at: true };
const TEAM_COLUMNS: Record<keyof TeamRow, true> = { id: true, organization_id: true, name: true, created_at: true, updated_at: true };

const JOINED = [
  { alias: "u", prefix: "user__", columns: Object.keys(USER_COLUMNS) },
  { alias: "o", prefix: "organization__", columns: Object.keys(ORGANIZATION_COLUMNS) },
  { alias: "t", prefix: "team__", columns: Object.keys(TEAM_COLUMNS) },
] as const;

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
 * expiry whatever the app server's clock says. The team is joined only inside the token's own
 * organization, as the composite foreign key also requires.
 */
export async function findLiveAccessTokenWithOwnerByHash(tokenHash: Buffer, q: Executor = db): Promise<LiveAccessToken | undefined> {
  const row: Record<string, unknown> | undefined = await q("access_tokens as a")
    .leftJoin("users as u", "u.id", "a.user_id")
    .leftJoin("organizations as o", "o.id", "a.organization_id")
    .leftJoin("teams as t", function (this: Knex.JoinClause) {
      this.on("t.id", "a.team_id").andOn("t.organization_id", "a.organization_id");
    })
    .where("a.token_hash", tokenHash)
    .whereNull("a.revoked_at")
    .where((w) => w.whereNull("a.expires_at").orWhere("a.expires_at", ">", q.fn.now()))
    .select("a.*", ...JOINED.flatMap(({ alias, prefix, columns }) => columns.map((c) => `${alias}.${c} as ${prefix}${c}`)))
    .first();
  if (!row) return undefined;
  const user = takePrefixed<UserRow>(row, "user__");
  const organization = takePrefixed<OrganizationRow>(row, "organization__");
  const team = takePrefixed<TeamRow>(row, "team__");
  return { token: row as unknown as ScopedAccessTokenRow, user, organization, team };
}
