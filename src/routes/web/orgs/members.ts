import type { Request, Response } from "express";
import { z } from "zod";
import { countMembers, findMembershipInOrganization, listMembers } from "../../../db/memberships";
import { findUserById } from "../../../db/users";
import { notFound } from "../../../lib/errors";
import { canChangeRole, canRemoveMember, grantableRoles, ORG_ROLES, type OrgRole } from "../../../policies/organizations";
import { parseBody } from "../../../http/validate";
import { flash } from "../../../http/flash";
import { OrgRuleError } from "../../../services/org-errors";
import { changeMemberRole, leaveOrganization, removeMember } from "../../../services/memberships";
import { actThenRedirect, idParam, orgPath, pageParam, roleWithArticle } from "./helpers";

const PER_PAGE = 50;

const RoleForm = z.object({ role: z.enum(ORG_ROLES as [OrgRole, ...OrgRole[]], "Choose a role.") });

/**
 * GET /orgs/:org/members — every member with their role. For each row the page gets the roles the
 * viewer may set and whether they may remove the member, from the same policies the POSTs check.
 */
export async function showMembers(req: Request, res: Response) {
  const org = req.org!;
  const actor = req.membership!;
  const page = pageParam(req.query.page);
  const [rows, total] = await Promise.all([listMembers(org.id, PER_PAGE, (page - 1) * PER_PAGE), countMembers(org.id)]);
  const members = rows.map((m) => ({
    ...m,
    isSelf: m.user_id === actor.user_id,
    roles: grantableRoles(actor).filter((r) => r === m.role || canChangeRole(actor, m, r)),
    canChangeRole: grantableRoles(actor).some((r) => r !== m.role && canChangeRole(actor, m, r)),
    canRemove: canRemoveMember(actor, m),
  }));
  res.render("orgs/members", { title: `Members · ${org.name}`, tab: "members", members, page, hasNext: page * PER_PAGE < total, total });
}

/**
 * POST /orgs/:org/members/:id/role — changes a member's role. The role posted is only a wish: the
 * policy refuses anything above the actor's own role or touching an owner as an admin (403), so a
 * tampered form gains nothing.
 */
export function submitRoleChange(ctx: Parameters<typeof changeMemberRole>[0]) {
  return async (req: Request, res: Response) => {
    const org = req.org!;
    const id = idParam(req.params.id);
    const parsed = parseBody(RoleForm, req.body);
    if (!parsed.ok) {
      flash(req, "error", parsed.errors.role ?? "Choose a role.");
      return res.redirect(orgPath(org.slug, "/members"));
    }
    await actThenRedirect(req, res, orgPath(org.slug, "/members"), async () => {
      const updated = await changeMemberRole(ctx, org, { kind: "user", userId: req.user!.id, username: req.user!.username }, id, parsed.data.role);
      const user = await findUserById(updated.user_id);
      return `${user?.username ?? "The member"} is now ${roleWithArticle(parsed.data.role)}.`;
    });
  };
}

/** GET /orgs/:org/members/:id/remove — asks before removing a member. */
export async function showRemoveMember(req: Request, res: Response) {
  const org = req.org!;
  const target = await findMembershipInOrganization(org.id, idParam(req.params.id));
  if (!target) throw notFound("Member");
  const user = await findUserById(target.user_id);
  res.render("orgs/confirm", {
    title: `Remove ${user!.username}?`,
    tab: "members",
    message: `${user!.username} will lose access to ${org.name} and its teams. They can only come back with a new invitation.`,
    action: orgPath(org.slug, `/members/${target.id}/remove`),
    button: `Remove ${user!.username}`,
    back: orgPath(org.slug, "/members"),
  });
}

/** POST /orgs/:org/members/:id/remove — removes a member (a member id from another org is a 404). */
export function submitRemoveMember(ctx: Parameters<typeof removeMember>[0]) {
  return async (req: Request, res: Response) => {
    const org = req.org!;
    const id = idParam(req.params.id);
    await actThenRedirect(req, res, orgPath(org.slug, "/members"), async () => {
      await removeMember(ctx, org, { kind: "user", userId: req.user!.id, username: req.user!.username }, id);
      return "The member was removed.";
    });
  };
}

/** GET /orgs/:org/leave — asks before leaving the organization. */
export function showLeave(req: Request, res: Response) {
  const org = req.org!;
  res.render("orgs/confirm", {
    title: `Leave ${org.name}?`,
    tab: "overview",
    message: `You will lose access to ${org.name} and its teams. You can only come back with a new invitation.`,
    action: orgPath(org.slug, "/leave"),
    button: `Leave ${org.name}`,
    back: req.query.from === "settings" ? "/settings/organizations" : orgPath(org.slug),
    hidden: req.query.from === "settings" ? { from: "settings" } : {},
  });
}

/** POST /orgs/:org/leave — the signed-in user leaves; the last owner is refused with a message. */
export async function submitLeave(req: Request, res: Response) {
  const org = req.org!;
  try {
    await leaveOrganization(org, req.user!.id);
  } catch (err) {
    if (!(err instanceof OrgRuleError)) throw err;
    flash(req, "error", err.message);
    return res.redirect(req.body?.from === "settings" ? "/settings/organizations" : orgPath(org.slug));
  }
  flash(req, "success", `You left ${org.name}.`);
  res.redirect("/settings/organizations");
}
