import type { NextFunction, Request, Response } from "express";
import { findMembership, type MembershipRow } from "../db/memberships";
import { findOrganizationBySlug, listOrganizationLinksForUser, type OrganizationRow } from "../db/organizations";
import { findTeamInOrganization, findTeamMembership, type TeamMembershipRow, type TeamRow } from "../db/teams";
import { forbidden, notFound } from "../lib/errors";
import { orgAbilities, tokenActor, type Actor, type OrgActor, type TeamActor } from "../policies/organizations";
import { idParam } from "./params";

declare global {
  namespace Express {
    interface Request {
      /** The organization named by :org, set by loadOrg. */
      org?: OrganizationRow;
      /** Who acts in req.org (a member, or an organization or team token), set by loadOrg. */
      actor?: OrgActor;
      /** The team named by :team inside req.org, set by loadTeam. */
      team?: TeamRow;
      /** The acting person's membership of req.team, if any (maintainers manage its members), set by loadTeam. */
      teamMembership?: TeamMembershipRow;
    }
  }
}

/**
 * Who `req` acts as in `org`, or undefined for an outsider. On the API the bearer principal
 * decides: a personal token acts as its user, who must be a member; an organization or team token
 * acts only in its own organization. On the web it is the signed-in user's membership.
 */
async function actorIn(org: OrganizationRow, req: Request): Promise<{ actor: OrgActor; membership?: MembershipRow } | undefined> {
  const p = req.principal;
  if (p && p.kind !== "user") return p.organization.id === org.id ? { actor: tokenActor(p.kind) } : undefined;
  const user = p?.user ?? req.user;
  const membership = user ? await findMembership(org.id, user.id) : undefined;
  if (!user || !membership) return undefined;
  return { actor: { kind: "user", role: membership.role, user_id: user.id, username: user.username }, membership };
}

/**
 * The load step of every organization route, web and API: the organization named by `:org` and
 * who acts in it. Someone who is not a member (and another organization's token) gets the same
 * 404 as for an organization that does not exist, so outsiders cannot find out which
 * organizations exist. Views get `org`, `membership` (the acting person's row) and `can`.
 */
export async function loadOrg(req: Request, res: Response, next: NextFunction) {
  const org = await findOrganizationBySlug(String(req.params.org ?? ""));
  const found = org ? await actorIn(org, req) : undefined;
  if (!org || !found) throw notFound("Organization");
  req.org = org;
  req.actor = found.actor;
  res.locals.org = org;
  res.locals.membership = found.membership;
  res.locals.can = orgAbilities(found.actor);
  next();
}

/** How many organizations the switcher on organization pages lists before "All organizations". */
const SWITCHER_LIMIT = 20;

/**
 * After loadOrg, on web pages: the signed-in person's organizations for the switcher at the top of
 * every organization page (views/orgs/_top.ejs). Only their own memberships are read, so the list
 * names no organization they could not open anyway.
 */
export async function loadOrgSwitcher(req: Request, res: Response, next: NextFunction) {
  res.locals.switcher = req.user ? await listOrganizationLinksForUser(req.user.id, SWITCHER_LIMIT) : { orgs: [], more: false };
  next();
}

/** Loads the team named by `:team` inside req.org (after loadOrg); another organization's team id is a 404. */
export async function loadTeam(req: Request, _res: Response, next: NextFunction) {
  const team = await findTeamInOrganization(req.org!.id, idParam(req.params.team));
  if (!team) throw notFound("Team");
  req.team = team;
  req.teamMembership = req.actor!.kind === "user" ? await findTeamMembership(team.id, req.actor!.user_id) : undefined;
  next();
}

/**
 * The authorize step (after loadOrg, and loadTeam for team policies): lets the request through
 * only when `policy` allows the actor. A member without the role gets 403: they know the
 * organization exists, so a 404 would hide nothing. Rules that depend on the target row or the
 * submitted role (changing an owner, granting above your own role) are checked again by the
 * service inside its transaction.
 */
export function authorize(policy: (actor: Actor | null, team: TeamActor | null) => boolean) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!policy(req.actor ?? null, req.teamMembership ?? null)) throw forbidden();
    next();
  };
}
