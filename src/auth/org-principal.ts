import type { AccessTokenRow } from "../db/access-tokens";
import { findOrganizationById, type OrganizationRow } from "../db/organizations";
import { findTeamInOrganization, type TeamRow } from "../db/teams";
import { ACCESS_TOKEN_PREFIXES } from "./access-token-format";

/** An organization access token (gto_): acts as its organization, with an owner's reach, and as nobody. */
export interface OrganizationPrincipal {
  kind: "organization";
  organization: OrganizationRow;
  token: AccessTokenRow;
}

/** A team access token (gtt_): acts as its team, which reads its organization like a member does. */
export interface TeamPrincipal {
  kind: "team";
  organization: OrganizationRow;
  team: TeamRow;
  token: AccessTokenRow;
}

/**
 * The principal of a live organization or team token, or undefined when its organization or team
 * is gone. Such a token never yields a user: it is not tied to one (user_id is empty by the
 * table's check), so nothing can make it act as a person.
 */
export async function orgPrincipalFor(row: AccessTokenRow): Promise<OrganizationPrincipal | TeamPrincipal | undefined> {
  const scoped = row as AccessTokenRow & { organization_id: number | null; team_id: number | null };
  if (!scoped.organization_id) return undefined;
  const organization = await findOrganizationById(scoped.organization_id);
  if (!organization) return undefined;
  if (row.token_prefix === ACCESS_TOKEN_PREFIXES.organization && scoped.team_id === null) return { kind: "organization", organization, token: row };
  if (row.token_prefix !== ACCESS_TOKEN_PREFIXES.team || scoped.team_id === null) return undefined;
  const team = await findTeamInOrganization(organization.id, scoped.team_id);
  return team ? { kind: "team", organization, team, token: row } : undefined;
}
