import { z } from "zod";
import { ACCESS_TOKEN_PREFIXES, generateAccessToken } from "../auth/access-token-format";
import { findTeamInOrganization } from "../db/teams";
import { findOrgAccessToken, insertOrgAccessToken, revokeOrgAccessToken, type OrgAccessTokenRow } from "../db/org-access-tokens";
import type { OrganizationRow } from "../db/organizations";
import { notFound, type FieldErrors } from "../lib/errors";
import { canManageOrganizationTokens, type Actor } from "../policies/organizations";
import { TOKEN_EXPIRY_DAYS } from "./access-tokens";
import { forbidden } from "./org-errors";
import { db } from "../db/knex";
import { orgEventActor, recordOrgEvent } from "./organization-log";

/** The expiry choices: the personal token lifetimes, or none. */
export const ORG_TOKEN_EXPIRY_CHOICES: readonly [string, string][] = [...TOKEN_EXPIRY_DAYS.map((d) => [String(d), `${d} days`] as [string, string]), ["none", "No expiry"]];

/** The create form: description, scope ("organization" or a team id) and expiry. */
export const OrgTokenForm = z.object({
  description: z.string().trim().min(1, "Describe what the token is for.").max(100, "Use at most 100 characters."),
  scope: z.string().regex(/^(organization|\d{1,15})$/, "Choose the organization or one of its teams."),
  expires_in_days: z.enum(ORG_TOKEN_EXPIRY_CHOICES.map(([v]) => v) as [string, ...string[]], `Choose ${TOKEN_EXPIRY_DAYS.join(", ")} days or no expiry.`),
});

/**
 * Creates an organization token (gto_) or a team token (gtt_) — owners only, since the token acts
 * as the organization. Same format and storage as personal tokens (only the hash is kept); the
 * secret is returned once for the caller to show. A team id of another organization is refused.
 */
export async function createOrgAccessToken(
  org: OrganizationRow,
  actor: Actor | null,
  createdById: number | null,
  input: z.infer<typeof OrgTokenForm>,
): Promise<{ ok: true; row: OrgAccessTokenRow; token: string } | { ok: false; errors: FieldErrors }> {
  if (!canManageOrganizationTokens(actor)) throw forbidden();
  const team = input.scope === "organization" ? undefined : await findTeamInOrganization(org.id, Number(input.scope));
  if (input.scope !== "organization" && !team) return { ok: false, errors: { scope: "Choose the organization or one of its teams." } };
  const generated = generateAccessToken(team ? ACCESS_TOKEN_PREFIXES.team : ACCESS_TOKEN_PREFIXES.organization);
  const row = await db.transaction(async (trx) => {
    const inserted = await insertOrgAccessToken({
      organization_id: org.id,
      team_id: team?.id ?? null,
      created_by_id: createdById,
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
  return { ok: true, row, token: generated.token };
}

/** Revokes one of the organization's tokens (owners only); another organization's token id is a 404. */
export async function revokeOrgToken(org: OrganizationRow, actor: Actor | null, id: number): Promise<void> {
  if (!canManageOrganizationTokens(actor)) throw forbidden();
  await db.transaction(async (trx) => {
    const token = await findOrgAccessToken(org.id, id, trx);
    if (!token || !(await revokeOrgAccessToken(org.id, id, trx))) throw notFound("Token");
    await recordOrgEvent(org.id, orgEventActor(actor), "token.revoked", { token_id: id, description: token.description, team: token.team_name ?? null }, trx);
  });
}
