import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { countPendingInvitations, listPendingInvitations } from "../../db/invitations";
import { countMembers, listMembers, listOrganizationsForUser } from "../../db/memberships";
import { findUserById } from "../../db/users";
import { pageOf } from "../../http/pager";
import { idParam } from "../../http/params";
import type { Valid } from "../../http/validate";
import { emailSchema } from "../../lib/handles";
import { canManageMembers, ORG_ROLES, type OrgRole } from "../../policies/organizations";
import { createInvitation, revokeInvitation } from "../../services/invitations";
import { changeMemberRole, removeMember } from "../../services/memberships";
import { searchParam, sendPage } from "./pagination";
import { presentInvitation, presentMember, presentOrganization } from "./presenters/organization";

/**
 * The organization API. Three kinds of caller: a personal token acts as its user, who must be a
 * member (anyone else gets 404, as on the web); an organization token acts as its organization,
 * with an owner's reach but as no user; a team token acts as its team and can only read. A token of
 * one organization sees no other organization (404). The route map loads the organization and
 * authorizes with the same loader and policies as the web pages (src/http/load-org.ts), so these
 * handlers start with `req.org` and an allowed `req.actor`.
 */

const roles = ORG_ROLES as [OrgRole, ...OrgRole[]];

/** PATCH /api/v1/orgs/:org/members/:id. Unknown fields are refused rather than ignored. */
export const RoleBody = z.strictObject({ role: z.enum(roles, "Use owner, admin or member.") });

/** POST /api/v1/orgs/:org/invitations: the address, the role and optional team ids of this organization. */
export const InvitationBody = z.strictObject({
  email: emailSchema,
  role: z.enum(roles, "Choose a role."),
  teams: z.array(z.number("Use team ids.").int("Use team ids.").positive("Choose teams from the list."), "Use a list of team ids.").max(50, "Choose at most 50 teams.").default([]),
});

/** GET /api/v1/orgs — the caller's organizations (a user's memberships; a token's own organization), paginated. */
export function listOrgs(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const page = pageOf(req);
    const p = req.principal!;
    const all = p.kind === "user"
      ? (await listOrganizationsForUser(p.user.id)).map((m) => presentOrganization({ id: m.organization_id, slug: m.slug, name: m.name, created_at: m.org_created_at, updated_at: m.org_updated_at }, m.role))
      : [presentOrganization(p.organization, null)];
    sendPage(ctx, req, res, all.slice(page.offset, page.offset + page.perPage), page, all.length);
  };
}

/** The caller's role to show: a member's own; tokens are nobody, so none. */
const roleOf = (req: Request) => (req.actor!.kind === "user" ? req.actor!.role : null);

/** GET /api/v1/orgs/:org — one organization. */
export function showOrg(req: Request, res: Response) {
  res.json({ data: presentOrganization(req.org!, roleOf(req)) });
}

/** GET /api/v1/orgs/:org/members — the members, owners first, paginated; `?q=` searches usernames and names (and emails, for those who manage members). */
export function listOrgMembers(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const page = pageOf(req);
    const q = searchParam(req);
    // As on the members page: only those who manage members, and see their addresses there, match by email.
    const search = q ? { text: q, emails: canManageMembers(req.actor!) } : undefined;
    const [rows, total] = await Promise.all([listMembers(req.org!.id, page.perPage, page.offset, search), countMembers(req.org!.id, search)]);
    sendPage(ctx, req, res, rows.map(presentMember), page, total);
  };
}

/** PATCH /api/v1/orgs/:org/members/:id — changes a member's role (owners and the last owner are checked in the service). */
export function updateOrgMember(ctx: AppContext) {
  return async (req: Valid<typeof RoleBody>, res: Response) => {
    const updated = await changeMemberRole(ctx, req.org!, req.actor!, idParam(req.params.id, "Member"), req.body.role);
    const user = await findUserById(updated.user_id);
    res.json({ data: presentMember({ ...updated, username: user!.username, display_name: user!.display_name }) });
  };
}

/** DELETE /api/v1/orgs/:org/members/:id — removes a member. */
export function deleteOrgMember(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    await removeMember(ctx, req.org!, req.actor!, idParam(req.params.id, "Member"));
    res.status(204).end();
  };
}

/** GET /api/v1/orgs/:org/invitations — pending invitations (admins, owners, organization tokens). */
export function listOrgInvitations(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const page = pageOf(req);
    const [rows, total] = await Promise.all([listPendingInvitations(req.org!.id, page.perPage, page.offset), countPendingInvitations(req.org!.id)]);
    sendPage(ctx, req, res, rows.map(presentInvitation), page, total);
  };
}

/** POST /api/v1/orgs/:org/invitations — invites an address (same rules and mail as the web form). */
export function createOrgInvitation(ctx: AppContext) {
  return async (req: Valid<typeof InvitationBody>, res: Response) => {
    const actor = req.actor!;
    const inviter = actor.kind === "user" ? { id: actor.user_id, name: actor.username } : { id: null, name: req.org!.name };
    const invitation = await createInvitation(ctx, req.org!, actor, inviter, req.body);
    res.status(201).setHeader("Location", `${ctx.config.baseUrl}/api/v1/orgs/${req.org!.slug}/invitations/${invitation.id}`);
    res.json({ data: presentInvitation({ ...invitation, inviter_username: actor.kind === "user" ? actor.username : null }) });
  };
}

/** DELETE /api/v1/orgs/:org/invitations/:id — revokes a pending invitation (another org's id is a 404). */
export async function deleteOrgInvitation(req: Request, res: Response) {
  await revokeInvitation(req.org!, req.actor!, idParam(req.params.id, "Invitation"));
  res.status(204).end();
}
