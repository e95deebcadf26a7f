import type { AccessTokenRow } from "../db/access-tokens";
import type { LiveAccessToken } from "../db/access-token-owners";
import type { OrganizationRow } from "../db/organizations";
import type { TeamRow } from "../db/teams";
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
 * The principal of a live organization or team token (loaded with its organization and team), or
 * undefined when its organization or team is gone. Such a token never yields a user: it is not tied
 * to one (user_id is empty by the table's check), so nothing can make it act as a person.
 */
export function orgPrincipalFor({ token, organization, team }: LiveAccessToken): OrganizationPrincipal | TeamPrincipal | undefined {
  if (!token.organization_id || !organization) return undefined;
  if (token.token_prefix === ACCESS_TOKEN_PREFIXES.organization && token.team_id === null) return { kind: "organization", organization, token };
  if (token.token_prefix !== ACCESS_TOKEN_PREFIXES.team || token.team_id === null) return undefined;
  return team ? { kind: "team", organization, team, token } : undefined;
}
