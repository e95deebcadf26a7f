import type { Request, Response } from "express";
import type { AppContext } from "../../../context";
import { listPendingInvitations } from "../../../db/invitations";
import { listTeams } from "../../../db/teams";
import { flash } from "../../../http/flash";
import { keptValues, parseBody } from "../../../http/validate";
import { notFound } from "../../../lib/errors";
import { grantableRoles } from "../../../policies/organizations";
import { findPendingInvitationInOrganization } from "../../../db/invitations";
import { createInvitation, InvitationForm, resendInvitation, revokeInvitation } from "../../../services/invitations";
import { idParam, orgPath } from "./helpers";

async function renderInvitations(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
  const org = req.org!;
  const [pending, teams] = await Promise.all([listPendingInvitations(org.id, 200, 0), listTeams(org.id)]);
  const chosenTeams = new Set(([] as unknown[]).concat(req.body?.teams ?? []).map(String));
  res.status(status).render("orgs/invitations", {
    title: `Invitations · ${org.name}`,
    tab: "invitations",
    pending,
    teams,
    chosenTeams,
    roles: grantableRoles(req.membership!),
    ...extra,
  });
}

/** GET /orgs/:org/invitations — the invite form and the pending invitations (admins and owners). */
export async function showInvitations(req: Request, res: Response) {
  await renderInvitations(req, res);
}

/**
 * POST /orgs/:org/invitations — invites an address. The reply is the same whether or not the
 * address has an account (see createInvitation).
 */
export function submitInvitation(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const values = keptValues(req.body);
    const parsed = parseBody(InvitationForm, req.body);
    if (!parsed.ok) return renderInvitations(req, res, 422, { values, errors: parsed.errors });
    const result = await createInvitation(ctx, req.org!, req.membership!, { id: req.user!.id, name: req.user!.username }, parsed.data);
    if (!result.ok) return renderInvitations(req, res, 422, { values, errors: result.errors });
    flash(req, "success", `Invitation sent to ${parsed.data.email}.`);
    res.redirect(orgPath(req.org!.slug, "/invitations"));
  };
}

/** POST /orgs/:org/invitations/:id/resend — mails a new link; the old one stops working. */
export function submitResendInvitation(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const inv = await resendInvitation(ctx, req.org!, req.membership!, { id: req.user!.id, name: req.user!.username }, idParam(req.params.id));
    flash(req, "success", `A new invitation link was sent to ${inv.email}. The previous link no longer works.`);
    res.redirect(orgPath(req.org!.slug, "/invitations"));
  };
}

/** GET /orgs/:org/invitations/:id/revoke — asks before revoking an invitation. */
export async function showRevokeInvitation(req: Request, res: Response) {
  const org = req.org!;
  const inv = await findPendingInvitationInOrganization(org.id, idParam(req.params.id));
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
  const inv = await revokeInvitation(req.org!, req.membership!, idParam(req.params.id));
  flash(req, "success", `The invitation to ${inv.email} was revoked.`);
  res.redirect(orgPath(req.org!.slug, "/invitations"));
}
