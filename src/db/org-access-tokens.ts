import { db, type Executor } from "./knex";
import type { AccessTokenRow } from "./access-tokens";

/** An organization or team access token: an access_tokens row with no user and an organization. */
export interface OrgAccessTokenRow extends Omit<AccessTokenRow, "user_id"> {
  user_id: null;
  organization_id: number;
  team_id: number | null;
  created_by_id: number | null;
}

/** A token with its team's name and its creator's username, for the tokens page. */
export interface OrgAccessTokenListRow extends OrgAccessTokenRow {
  team_name: string | null;
  created_by_username: string | null;
}

/** Inserts an organization or team token and returns it. */
export async function insertOrgAccessToken(
  fields: Pick<OrgAccessTokenRow, "organization_id" | "team_id" | "created_by_id" | "description" | "token_hash" | "token_prefix" | "last4" | "created_via" | "expires_at">,
  q: Executor = db,
): Promise<OrgAccessTokenRow> {
  const [row] = await q<OrgAccessTokenRow>("access_tokens").insert({ ...fields, user_id: null }).returning("*");
  return row!;
}

/** The organization's unrevoked tokens (organization and team), newest first. */
export function listOrgAccessTokens(organizationId: number, q: Executor = db): Promise<OrgAccessTokenListRow[]> {
  return q<OrgAccessTokenListRow>("access_tokens as a")
    .leftJoin("teams as t", "t.id", "a.team_id")
    .leftJoin("users as u", "u.id", "a.created_by_id")
    .where("a.organization_id", organizationId)
    .whereNull("a.revoked_at")
    .select("a.*", "t.name as team_name", "u.username as created_by_username")
    .orderBy([{ column: "a.created_at", order: "desc" }, { column: "a.id", order: "desc" }]);
}

/** One of the organization's unrevoked tokens, or undefined (a token of another org is unknown). */
export function findOrgAccessToken(organizationId: number, id: number, q: Executor = db): Promise<OrgAccessTokenListRow | undefined> {
  return q<OrgAccessTokenListRow>("access_tokens as a")
    .leftJoin("teams as t", "t.id", "a.team_id")
    .leftJoin("users as u", "u.id", "a.created_by_id")
    .where({ "a.organization_id": organizationId, "a.id": id })
    .whereNull("a.revoked_at")
    .select("a.*", "t.name as team_name", "u.username as created_by_username")
    .first();
}

/** Revokes one of the organization's tokens; returns whether one was revoked. */
export async function revokeOrgAccessToken(organizationId: number, id: number, q: Executor = db): Promise<boolean> {
  const n = await q("access_tokens").where({ organization_id: organizationId, id }).whereNull("revoked_at").update({ revoked_at: q.fn.now() });
  return n > 0;
}
