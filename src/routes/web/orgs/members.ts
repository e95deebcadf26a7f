import type { Request, Response } from "express";
import { z } from "zod";
import { listAvatarFieldsForUsers } from "../../../db/avatars";
import { countMembers, countOwners, findMembershipInOrganization, listMembers } from "../../../db/memberships";
import { findUserById } from "../../../db/users";
import { flash } from "../../../http/flash";
import { pageOf } from "../../../http/pager";
import { searchOf } from "../../../http/search";
import { idParam } from "../../../http/params";
import type { Valid } from "../../../http/validate";
import { ConflictError, notFound } from "../../../lib/errors";
import { canChangeRole, canManageMembers, canRemoveMember, grantableRoles, ORG_ROLES, type OrgRole } from "../../../policies/organizations";
import { changeMemberRole, leaveOrganization, removeMember } from "../../../services/memberships";
import { actThenRedirect, memberAvatar, orgPath, roleWithArticle } from "./helpers";

const PER_PAGE = 50;

/** POST /orgs/:org/members/:id/role: the role to give. */
export const RoleForm = z.object({ role: z.enum(ORG_ROLES as [OrgRole, ...OrgRole[]], "Choose a role.") });

/** The members page of req.org, where a refused role change is flashed. */
export const membersPage = (req: Request) => orgPath(req.org!.slug, "/members");

/**
 * GET /orgs/:org/members — the members with their role, searchable by username and name (`?q=`),
 * a page at a time. Owners and admins also see, and search, each member's email and joined date:
 * they invite and manage people by address. Plain members do not, and their search never looks at
 * emails, since a match would tell them an address they were not shown. For each row the page gets
 * the roles the viewer may set and whether they may remove the member, from the same policies the
 * POSTs check.
 */
export async function showMembers(req: Request, res: Response) {
  const org = req.org!;
  const actor = req.actor!;
  const page = pageOf(req, PER_PAGE);
  const q = searchOf(req);
  const details = canManageMembers(actor);
  const search = q ? { text: q, emails: details } : undefined;
  const [rows, total] = await Promise.all([listMembers(org.id, page.perPage, page.offset, search), countMembers(org.id, search)]);
  const avatars = await listAvatarFieldsForUsers(rows.map((m) => m.user_id));
  const members = rows.map((m) => ({
    ...m,
    isSelf: m.user_id === actor.user_id,
    avatar: memberAvatar(avatars, m, actor.user_id),
    roles: grantableRoles(actor).filter((r) => r === m.role || canChangeRole(actor, m, r)),
    canChangeRole: grantableRoles(actor).some((r) => r !== m.role && canChangeRole(actor, m, r)),
    canRemove: canRemoveMember(actor, m),
  }));
  res.render("orgs/members", {
    title: `Members · ${org.name}`, tab: "members", members, page: page.page, hasNext: page.page * PER_PAGE < total, total, q: q ?? "", details,
  });
}

/**
 * POST /orgs/:org/members/:id/role — changes a member's role. The role posted is only a wish: the
 * service refuses anything above the actor's own role or touching an owner as an admin (403),
 * checked on fresh rows inside its transaction, so a tampered form gains nothing.
 */
export function submitRoleChange(ctx: Parameters<typeof changeMemberRole>[0]) {
  return async (req: Valid<typeof RoleForm>, res: Response) => {
    const org = req.org!;
    const id = idParam(req.params.id, "Member");
    await actThenRedirect(req, res, orgPath(org.slug, "/members"), async () => {
      const updated = await changeMemberRole(ctx, org, req.actor!, id, req.body.role);
      const user = await findUserById(updated.user_id);
      return `${user?.username ?? "The member"} is now ${roleWithArticle(req.body.role)}.`;
    });
  };
}

/** GET /orgs/:org/members/:id/remove — asks before removing a member. */
export async function showRemoveMember(req: Request, res: Response) {
  const org = req.org!;
  const target = await findMembershipInOrganization(org.id, idParam(req.params.id, "Member"));
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
    const id = idParam(req.params.id, "Member");
    await actThenRedirect(req, res, orgPath(org.slug, "/members"), async () => {
      // Looked up before the membership goes, to name the person in the message.
      const target = await findMembershipInOrganization(org.id, id);
      const user = target && (await findUserById(target.user_id));
      await removeMember(ctx, org, req.actor!, id);
      return `Removed ${user?.username ?? "the member"} from ${org.name}.`;
    });
  };
}

/**
 * GET /orgs/:org/leave — asks before leaving the organization. The last owner gets, instead of a
 * confirmation that would then fail, a page (409) saying why not and what to do first. Leaving is
 * the only way an owner can end up without a successor from their own pages: nobody changes their
 * own role or removes themselves (canChangeRole, canRemoveMember), and an owner removing or
 * demoting another owner leaves themselves as one. The service checks again under its lock.
 */
export async function showLeave(req: Request, res: Response) {
  const org = req.org!;
  const back = req.query.from === "settings" ? "/settings/organizations" : orgPath(org.slug);
  if (req.actor!.role === "owner" && (await countOwners(org.id)) <= 1) {
    return res.status(409).render("orgs/last-owner", {
      title: `You cannot leave ${org.name} yet`,
      tab: "overview",
      message: `You are the last owner of ${org.name}, and an organization needs at least one owner. Make someone else an owner on the members page, then leave; or delete the organization in its settings.`,
      members: orgPath(org.slug, "/members"),
      back,
    });
  }
  res.render("orgs/confirm", {
    title: `Leave ${org.name}?`,
    tab: "overview",
    message: `You will lose access to ${org.name} and its teams. You can only come back with a new invitation.`,
    action: orgPath(org.slug, "/leave"),
    button: `Leave ${org.name}`,
    back,
    hidden: req.query.from === "settings" ? { from: "settings" } : {},
  });
}

/** POST /orgs/:org/leave — the signed-in user leaves; the last owner is refused with a message. */
export async function submitLeave(req: Request, res: Response) {
  const org = req.org!;
  try {
    await leaveOrganization(org, req.user!.id);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    flash(req, "error", err.message);
    return res.redirect(req.body?.from === "settings" ? "/settings/organizations" : orgPath(org.slug));
  }
  flash(req, "success", `You left ${org.name}.`);
  res.redirect("/settings/organizations");
}
