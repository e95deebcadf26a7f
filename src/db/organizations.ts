import { db, type Executor } from "./knex";

export interface OrganizationRow {
  id: number;
  slug: string;
  name: string;
  created_at: Date;
  updated_at: Date;
  /** Members must have two-factor authentication on to use the organization (set by owners). */
  require_two_factor: boolean;
  /** Who at its verified domains may join: nobody that way, after approval, or at once (set by owners). */
  join_policy: JoinPolicy;
}

/** An organization's join policy for people at its verified domains. */
export type JoinPolicy = "off" | "request" | "direct";

/** Every join policy, the default first. */
export const JOIN_POLICIES: readonly JoinPolicy[] = ["off", "request", "direct"];

/** The organization with this slug (case-insensitively), or undefined. */
export function findOrganizationBySlug(slug: string, q: Executor = db): Promise<OrganizationRow | undefined> {
  return q<OrganizationRow>("organizations").where({ slug }).first();
}

/** The organization with this id, or undefined. */
export function findOrganizationById(id: number, q: Executor = db): Promise<OrganizationRow | undefined> {
  return q<OrganizationRow>("organizations").where({ id }).first();
}

/**
 * Locks the organization row until the transaction ends and returns it. Every change that could
 * take away an owner takes this lock first, so such changes to one organization run one at a time.
 */
export function lockOrganization(id: number, trx: Executor): Promise<OrganizationRow | undefined> {
  return trx<OrganizationRow>("organizations").where({ id }).forUpdate().first();
}

/** True when a user or an organization already uses this handle (they share one namespace). */
export async function isHandleTaken(handle: string, q: Executor = db): Promise<boolean> {
  const row = await q.raw<{ rows: unknown[] }>(
    "SELECT 1 FROM users WHERE username = ?::citext UNION ALL SELECT 1 FROM organizations WHERE slug = ?::citext LIMIT 1",
    [handle, handle],
  );
  return row.rows.length > 0;
}

/** Inserts an organization and returns it. */
export async function insertOrganization(fields: Pick<OrganizationRow, "slug" | "name">, q: Executor = db): Promise<OrganizationRow> {
  const [row] = await q<OrganizationRow>("organizations").insert(fields).returning("*");
  return row!;
}

/** Updates an organization's name or slug and returns it. */
export async function updateOrganization(id: number, fields: Partial<Pick<OrganizationRow, "slug" | "name">>, q: Executor = db): Promise<OrganizationRow> {
  const [row] = await q<OrganizationRow>("organizations").where({ id }).update({ ...fields, updated_at: q.fn.now() as unknown as Date }).returning("*");
  return row!;
}

/** Sets who at the organization's verified domains may join it. */
export async function setOrganizationJoinPolicy(id: number, policy: JoinPolicy, q: Executor = db): Promise<void> {
  await q("organizations").where({ id }).update({ join_policy: policy, updated_at: q.fn.now() });
}

/** Deletes an organization (memberships, teams and invitations go with it). */
export async function deleteOrganization(id: number, q: Executor = db): Promise<void> {
  await q("organizations").where({ id }).delete();
}

/** A page of every organization, by slug (for the API's listing). */
export function listOrganizations(limit: number, offset: number, q: Executor = db): Promise<OrganizationRow[]> {
  return q<OrganizationRow>("organizations").orderBy("slug").limit(limit).offset(offset);
}

/** The figures of an organization's overview page, in one statement. */
export interface OrganizationSummary {
  member_count: number;
  team_count: number;
  pending_count: number;
  owners: string[];
  my_teams: string[];
}

/** Counts, owner usernames and the viewer's team names for the overview page, in one query. */
export async function summarizeOrganization(organizationId: number, viewerId: number, q: Executor = db): Promise<OrganizationSummary> {
  const { rows } = await q.raw<{ rows: OrganizationSummary[] }>(
    `SELECT
       (SELECT count(*)::int FROM memberships WHERE organization_id = :org) AS member_count,
       (SELECT count(*)::int FROM teams WHERE organization_id = :org) AS team_count,
       (SELECT count(*)::int FROM invitations WHERE organization_id = :org AND status = 'pending') AS pending_count,
       ARRAY(SELECT u.username::text FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.organization_id = :org AND m.role = 'owner' ORDER BY u.username) AS owners,
       ARRAY(SELECT t.name FROM team_memberships tm JOIN teams t ON t.id = tm.team_id
             WHERE tm.organization_id = :org AND tm.user_id = :viewer ORDER BY lower(t.name)) AS my_teams`,
    { org: organizationId, viewer: viewerId },
  );
  return rows[0]!;
}

/** Up to `limit` organizations the user belongs to, by name (the organization switcher), and whether there are more. */
export async function listOrganizationLinksForUser(userId: number, limit: number, q: Executor = db): Promise<{ orgs: Pick<OrganizationRow, "id" | "slug" | "name">[]; more: boolean }> {
  const rows = await q("memberships as m")
    .join("organizations as o", "o.id", "m.organization_id")
    .where("m.user_id", userId)
    .orderBy([{ column: "o.name" }, { column: "o.id" }])
    .limit(limit + 1)
    .select("o.id", "o.slug", "o.name");
  return { orgs: rows.slice(0, limit), more: rows.length > limit };
}
