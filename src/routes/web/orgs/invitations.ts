import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { findPendingInvitationInOrganization, listPendingInvitations } from "../../../db/invitations";
import { listTeams } from "../../../db/teams";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import type { Valid } from "../../../http/validate";
import { notFound } from "../../../lib/errors";
import { emailSchema } from "../../../lib/handles";
import { grantableRoles, ORG_ROLES, type OrgRole } from "../../../policies/organizations";
import { createInvitation, resendInvitation, revokeInvitation } from "../../../services/invitations";
import { roleLabel } from "../../../lib/role-words";
import { orgPath } from "./helpers";

/** Checkboxes: nothing, one value or several. */
const teamIds = z.preprocess(
  (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive("Choose teams from the list."), "Choose teams from the list.").max(50, "Choose at most 50 teams."),
);

/** POST /orgs/:org/invitations: address, role, optional teams of this organization. */
export const InvitationForm = z.object({
  email: emailSchema,
  role: z.enum(ORG_ROLES as [OrgRole, ...OrgRole[]], "Choose a role."),
  teams: teamIds.optional().default([]),
});

/**
 * GET /orgs/:org/invitations — the invite form and the pending invitations with their teams and
 * when they were sent (admins and owners); the form again on a 422. A team deleted since the
 * invitation was sent is left out, as accepting leaves it out.
 */
export async function showInvitations(req: Request, res: Response) {
  const org = req.org!;
  const [rows, teams] = await Promise.all([listPendingInvitations(org.id, 200, 0), listTeams(org.id)]);
  const teamNames = new Map(teams.map((t) => [Number(t.id), t.name]));
  const pending = rows.map((i) => ({ ...i, teamNames: i.team_ids.map((id) => teamNames.get(Number(id))).filter((n): n is string => n !== undefined) }));
  const chosenTeams = new Set(([] as unknown[]).concat(req.body?.teams ?? []).map(String));
  res.render("orgs/invitations", {
    title: `Invitations · ${org.name}`,
    tab: "invitations",
    pending,
    teams,
    chosenTeams,
    roles: grantableRoles(req.actor!),
  });
}

const inviterOf = (req: Request) => ({ id: req.user!.id, name: req.user!.username });

/**
 * POST /orgs/:org/invitations — invites an address. The reply is the same whether or not the
 * address has an account (see createInvitation).
 */
export function submitInvitation(ctx: AppContext) {
  return async (req: Valid<typeof InvitationForm>, res: Response) => {
    await createInvitation(ctx, req.org!, req.actor!, inviterOf(req), req.body);
    flash(req, "success", `Invited ${req.body.email} as ${roleLabel(req.body.role).toLowerCase()}.`);
    res.redirect(orgPath(req.org!.slug, "/invitations"));
  };
}

/** POST /orgs/:org/invitations/:id/resend — mails a new link; the old one stops working. */
export function submitResendInvitation(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const inv = await resendInvitation(ctx, req.org!, req.actor!, inviterOf(req), idParam(req.params.id, "Invitation"));
    flash(req, "success", `A new invitation link was sent to ${inv.email}. The previous link no longer works.`);
    res.redirect(orgPath(req.org!.slug, "/invitations"));
  };
}

/** GET /orgs/:org/invitations/:id/revoke — asks before revoking an invitation. */
export async function showRevokeInvitation(req: Request, res: Response) {
  const org = req.org!;
  const inv = await findPendingInvitationInOrganization(org.id, idParam(req.params.id, "Invitation"));
  if (!inv) throw notFound("Invitation");
  res.render("orgs/confirm", {
    title: "Revoke this invitation?",
    tab: "invitations",
    message: `The link sent to ${inv.email} stops working at once. You can invite the address again later.`,
    action: orgPath(org.slug, `/invitations/${inv.id}/revoke`),
    button: "Revoke invitation",
    back: orgPath(org.slug, "/invitations"),
  });
}

/** POST /orgs/:org/invitations/:id/revoke — revokes a pending invitation (ids of another org are a 404). */
export async function submitRevokeInvitation(req: Request, res: Response) {
  const inv = await revokeInvitation(req.org!, req.actor!, idParam(req.params.id, "Invitation"));
  flash(req, "success", `The invitation to ${inv.email} was revoked.`);
  res.redirect(orgPath(req.org!.slug, "/invitations"));
}
