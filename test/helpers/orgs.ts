import { db } from "../../src/db/knex";
import { insertMembership, type OrgRole } from "../../src/db/memberships";
import { insertOrganization, type OrganizationRow } from "../../src/db/organizations";
import { insertTeam, insertTeamMembership, type TeamRow } from "../../src/db/teams";

let counter = 0;

/** Inserts an organization owned by `owner` straight into the database. */
export async function buildOrg(owner: { id: number }, opts: { slug?: string; name?: string } = {}): Promise<OrganizationRow> {
  counter += 1;
  const slug = opts.slug ?? `org${counter}${Date.now().toString(36).slice(-4)}`;
  return db.transaction(async (trx) => {
    const org = await insertOrganization({ slug, name: opts.name ?? `Org ${slug}` }, trx);
    await insertMembership({ organization_id: org.id, user_id: owner.id, role: "owner" }, trx);
    return org;
  });
}

/** Adds a user to an organization with a role; returns the membership id. */
export async function addMember(org: { id: number }, user: { id: number }, role: OrgRole): Promise<number> {
  await insertMembership({ organization_id: org.id, user_id: user.id, role });
  const row = await db("memberships").where({ organization_id: org.id, user_id: user.id }).first();
  return Number(row.id);
}

/** Inserts a team, optionally with members. */
export async function buildTeam(org: { id: number }, name: string, members: { id: number; maintainer?: boolean }[] = []): Promise<TeamRow> {
  const team = await insertTeam({ organization_id: org.id, name });
  for (const m of members) await insertTeamMembership({ organization_id: org.id, team_id: team.id, user_id: m.id, maintainer: m.maintainer ?? false });
  return team;
}

/** The role a user has in an organization, or undefined. */
export async function roleOf(org: { id: number }, user: { id: number }): Promise<OrgRole | undefined> {
  const row = await db("memberships").where({ organization_id: org.id, user_id: user.id }).first();
  return row?.role;
}

/** The membership id of a user in an organization. */
export async function membershipId(org: { id: number }, user: { id: number }): Promise<number> {
  const row = await db("memberships").where({ organization_id: org.id, user_id: user.id }).first();
  return Number(row.id);
}
