import { ACCESS_TOKEN_PREFIXES, generateAccessToken } from "../auth/access-token-format";
import { findTeamInOrganization } from "../db/teams";
import { findOrgAccessToken, insertOrgAccessToken, revokeOrgAccessToken, type OrgAccessTokenRow } from "../db/org-access-tokens";
import type { OrganizationRow } from "../db/organizations";
import { notFound, ValidationError } from "../lib/errors";
import { TOKEN_EXPIRY_DAYS } from "./access-tokens";
import { db } from "../db/knex";
import type { Actor } from "../policies/organizations";
import { orgEventActor, recordOrgEvent } from "./organization-log";

/** The expiry choices: the personal token lifetimes, or none. */
export const ORG_TOKEN_EXPIRY_CHOICES: readonly [string, string][] = [...TOKEN_EXPIRY_DAYS.map((d) => [String(d), `${d} days`] as [string, string]), ["none", "No expiry"]];

/** A new token: description, scope ("organization" or a team id) and expiry (days, or "none"). */
export interface OrgTokenInput {
  description: string;
  scope: string;
  expires_in_days: string;
}

const SCOPE_MESSAGE = "Choose the organization or one of its teams.";

/**
 * Creates an organization token (gto_) or a team token (gtt_); the route authorized owners only,
 * since the token acts as the organization. Same format and storage as personal tokens (only the hash is kept); the
 * secret is returned once for the caller to show. A team id of another organization is refused.
 */
export async function createOrgAccessToken(org: OrganizationRow, actor: Actor | null, input: OrgTokenInput): Promise<{ row: OrgAccessTokenRow; token: string }> {
  const team = input.scope === "organization" ? undefined : await findTeamInOrganization(org.id, Number(input.scope));
  if (input.scope !== "organization" && !team) throw new ValidationError({ scope: SCOPE_MESSAGE });
  const generated = generateAccessToken(team ? ACCESS_TOKEN_PREFIXES.team : ACCESS_TOKEN_PREFIXES.organization);
  const row = await db.transaction(async (trx) => {
    const inserted = await insertOrgAccessToken({
      organization_id: org.id,
      team_id: team?.id ?? null,
      created_by_id: actor && !actor.viaToken ? actor.user_id : null,
      description: input.description,
      token_hash: generated.hash,
      token_prefix: generated.prefix,
      last4: generated.last4,
      created_via: "web",
      expires_at: input.expires_in_days === "none" ? null : new Date(Date.now() + Number(input.expires_in_days) * 86_400_000),
    }, trx);
    const details = { token_id: inserted.id, description: inserted.description, team: team?.name ?? null, expires_at: inserted.expires_at };
    await recordOrgEvent(org.id, orgEventActor(actor), "token.created", details, trx);
    return inserted;
  });
  return { row, token: generated.token };
}

/** Revokes one of the organization's tokens (the route authorized owners only); another organization's token id is a 404. */
export async function revokeOrgToken(org: OrganizationRow, actor: Actor, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    const token = await findOrgAccessToken(org.id, id, trx);
    if (!token || !(await revokeOrgAccessToken(org.id, id, trx))) throw notFound("Token");
    await recordOrgEvent(org.id, orgEventActor(actor), "token.revoked", { token_id: id, description: token.description, team: token.team_name ?? null }, trx);
  });
}
