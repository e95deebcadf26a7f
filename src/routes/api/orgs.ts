import { hasTwoFactorEnabled } from "../../db/totp-credentials";
import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { countPendingInvitations, listPendingInvitations } from "../../db/invitations";
import { countMembers, findMembership, listMembers, listOrganizationsForUser } from "../../db/memberships";
import { findOrganizationBySlug } from "../../db/organizations";
import { findUserById } from "../../db/users";
import { HttpError, notFound, ValidationError } from "../../lib/errors";
import { canManageInvitations, ORG_ROLES, type Actor, type OrgRole } from "../../policies/organizations";
import { createInvitation, InvitationForm, revokeInvitation } from "../../services/invitations";
import { changeMemberRole, removeMember, tokenActor, type OrgActor } from "../../services/memberships";
import { validBody } from "./body";
import { pageOf, sendPage } from "./pagination";
import { presentInvitation, presentMember, presentOrganization } from "./presenters/organization";

/**
 * The organization API. Three kinds of caller: a personal token acts as its user, who must be a
 * member (anyone else gets 404, as on the web); an organization token acts as its organization,
 * with an owner's reach but as no user; a team token acts as its team and can only read. A token of
 * one organization sees no other organization (404). Authorization uses the same pure policies as
 * the web pages.
 */

interface ApiOrgContext {
  actor: Actor;
  orgActor: OrgActor;
  role: OrgRole | null;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by loadApiOrg: who acts in req.org on this API request. */
      apiOrg?: ApiOrgContext;
    }
  }
}

function confirmedUser(req: Request) {
  const p = req.principal!;
  if (p.kind !== "user") return undefined;
  if (!p.user.email_confirmed_at) throw new HttpError(403, "Confirm your email address before using the API.", "unconfirmed");
  return p.user;
}

/** Middleware: loads :org for the bearer principal; outsiders and other organizations' tokens get 404. */
export async function loadApiOrg(req: Request, _res: Response, next: NextFunction) {
  const org = await findOrganizationBySlug(String(req.params.org ?? ""));
  if (!org) throw notFound("Organization");
  const p = req.principal!;
  const user = confirmedUser(req);
  if (user) {
    const membership = await findMembership(org.id, user.id);
    if (!membership) throw notFound("Organization");
    // The organization's 2FA requirement holds on the API too: a member's token reaches it only once they have 2FA.
    if (org.require_two_factor && !(await hasTwoFactorEnabled(user.id))) {
      throw new HttpError(403, `${org.name} requires two-factor authentication. Turn it on in your security settings first.`, "two_factor_required");
    }
    req.apiOrg = { actor: membership, orgActor: { kind: "user", userId: user.id, username: user.username }, role: membership.role };
  } else if (p.kind !== "user") {
    if (p.organization.id !== org.id) throw notFound("Organization");
    req.apiOrg = { actor: tokenActor(p.kind), orgActor: { kind: p.kind }, role: null };
  }
  req.org = org;
  next();
}

/** GET /api/v1/orgs — the caller's organizations (a user's memberships; a token's own organization), paginated. */
export function listOrgs(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const page = pageOf(req);
    const p = req.principal!;
    const user = confirmedUser(req);
    const all = user
      ? (await listOrganizationsForUser(user.id)).map((m) => presentOrganization({ id: m.organization_id, slug: m.slug, name: m.name, created_at: m.org_created_at, updated_at: m.org_updated_at }, m.role))
      : p.kind !== "user" ? [presentOrganization(p.organization, null)] : [];
    sendPage(ctx, req, res, all.slice(page.offset, page.offset + page.perPage), page, all.length);
  };
}

/** GET /api/v1/orgs/:org — one organization. */
export function showOrg(req: Request, res: Response) {
  res.json({ data: presentOrganization(req.org!, req.apiOrg!.role) });
}

/** GET /api/v1/orgs/:org/members — the members, owners first, paginated. */
export function listOrgMembers(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const page = pageOf(req);
    const [rows, total] = await Promise.all([listMembers(req.org!.id, page.perPage, page.offset), countMembers(req.org!.id)]);
    sendPage(ctx, req, res, rows.map(presentMember), page, total);
  };
}

const RoleBody = z.strictObject({ role: z.enum(ORG_ROLES as [OrgRole, ...OrgRole[]], "Use owner, admin or member.") });

function memberId(req: Request): number {
  if (!/^\d{1,15}$/.test(String(req.params.id))) throw notFound("Member");
  return Number(req.params.id);
}

/** PATCH /api/v1/orgs/:org/members/:id — changes a member's role (policies as on the web; last owner 409). */
export function updateOrgMember(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const body = validBody(RoleBody, req.body);
    const updated = await changeMemberRole(ctx, req.org!, req.apiOrg!.orgActor, memberId(req), body.role);
    const user = await findUserById(updated.user_id);
    res.json({ data: presentMember({ ...updated, username: user!.username, display_name: user!.display_name }) });
  };
}

/** DELETE /api/v1/orgs/:org/members/:id — removes a member. */
export function deleteOrgMember(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    await removeMember(ctx, req.org!, req.apiOrg!.orgActor, memberId(req));
    res.status(204).end();
  };
}

function requireInvitationRights(req: Request) {
  if (!canManageInvitations(req.apiOrg!.actor)) throw new HttpError(403, "Your role in this organization does not allow that.");
}

/** GET /api/v1/orgs/:org/invitations — pending invitations (admins, owners, organization tokens). */
export function listOrgInvitations(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    requireInvitationRights(req);
    const page = pageOf(req);
    const [rows, total] = await Promise.all([listPendingInvitations(req.org!.id, page.perPage, page.offset), countPendingInvitations(req.org!.id)]);
    sendPage(ctx, req, res, rows.map(presentInvitation), page, total);
  };
}

const InvitationBody = z.strictObject({ email: z.string(), role: z.string(), teams: z.array(z.number().int()).max(50).optional() });

/** POST /api/v1/orgs/:org/invitations — invites an address (same rules and mail as the web form). */
export function createOrgInvitation(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    requireInvitationRights(req);
    const raw = validBody(InvitationBody, req.body);
    const input = validBody(InvitationForm, raw);
    const a = req.apiOrg!;
    const inviter = a.orgActor.kind === "user" ? { id: a.orgActor.userId, name: a.orgActor.username } : { id: null, name: req.org!.name };
    const result = await createInvitation(ctx, req.org!, a.actor, inviter, input);
    if (!result.ok) throw new ValidationError(result.errors);
    res.status(201).setHeader("Location", `${ctx.config.baseUrl}/api/v1/orgs/${req.org!.slug}/invitations/${result.invitation.id}`);
    res.json({ data: presentInvitation({ ...result.invitation, inviter_username: a.orgActor.kind === "user" ? a.orgActor.username : null }) });
  };
}

/** DELETE /api/v1/orgs/:org/invitations/:id — revokes a pending invitation (another org's id is a 404). */
export async function deleteOrgInvitation(req: Request, res: Response) {
  requireInvitationRights(req);
  if (!/^\d{1,15}$/.test(String(req.params.id))) throw notFound("Invitation");
  await revokeInvitation(req.org!, req.apiOrg!.actor, Number(req.params.id));
  res.status(204).end();
}
