import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { findMembership } from "../../db/memberships";
import { flash } from "../../http/flash";
import { endSession } from "../../http/sign-in";
import { idParam } from "../../http/params";
import { notFound } from "../../lib/errors";
import { acceptInvitation, declineInvitation, findLiveInvitation, findLiveInvitationForUser, invitationBlocker, type AnswerResult } from "../../services/invitations";
import type {} from "../../http/session-keys";

const invitationPath = (token: string) => `/invitations/${encodeURIComponent(token)}`;

function gone(res: Response) {
  res.status(410).render("invitations/gone", { title: "Invitation no longer valid" });
}

/**
 * GET /invitations/:token — what the invitation is and what the visitor can do with it. A used,
 * revoked, replaced or expired link shows the same "no longer valid" page. Signed-out visitors are
 * offered sign-in and sign-up with the path as `next` (a page view stores nothing), so that signing
 * in, or confirming a new account's email, brings them back here.
 */
export async function showInvitation(req: Request, res: Response) {
  const token = String(req.params.token);
  const view = await findLiveInvitation(token);
  if (!view) return gone(res);
  const path = invitationPath(token);
  if (!req.user) {
    return res.render("invitations/show", { title: `Join ${view.org.name}`, ...view, path, state: "signed_out" });
  }
  const blocker = invitationBlocker(view.invitation, req.user);
  const alreadyMember = !blocker && Boolean(await findMembership(view.org.id, req.user.id));
  res.render("invitations/show", { title: `Join ${view.org.name}`, ...view, path, state: blocker ?? (alreadyMember ? "member" : "ready") });
}

function answered(res: Response, token: string, result: AnswerResult, success: (org: { name: string; slug: string }) => void) {
  if (result.ok) return success(result.org);
  if (result.reason === "gone") return gone(res);
  // Bound to the invited address: the page explains what is missing (another account, or an
  // unconfirmed address) instead of acting.
  res.redirect(invitationPath(token));
}

/** POST /invitations/:token/accept — joins with the role and teams stored in the invitation. */
export function submitAcceptInvitation(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const token = String(req.params.token);
    const result = await acceptInvitation(ctx, token, req.user!);
    answered(res, token, result, (org) => {
      flash(req, "success", result.ok && result.alreadyMember ? `You are already a member of ${org.name}.` : `Welcome to ${org.name}!`);
      res.redirect(`/orgs/${encodeURIComponent(org.slug)}`);
    });
  };
}

/** POST /invitations/:token/decline — declines; the link stops working. */
export async function submitDeclineInvitation(req: Request, res: Response) {
  const token = String(req.params.token);
  const result = await declineInvitation(token, req.user!);
  answered(res, token, result, (org) => {
    flash(req, "info", `You declined the invitation to ${org.name}.`);
    res.redirect("/");
  });
}

/** POST /invitations/:token/switch — signs out and offers sign-in with the invited account, coming back here. */
export async function submitSwitchAccount(req: Request, res: Response) {
  const path = invitationPath(String(req.params.token));
  if (req.user) await endSession(req);
  req.session.returnTo = path;
  res.redirect(`/login?next=${encodeURIComponent(path)}`);
}

const receivedPath = (id: number) => `/invitations/received/${id}`;

/**
 * GET /invitations/received/:id — an invitation to the signed-in user's confirmed address, reached
 * from their list of invitations rather than the mailed link; any other id is a 404.
 */
export async function showReceivedInvitation(req: Request, res: Response) {
  const id = idParam(req.params.id, "Invitation");
  const view = await findLiveInvitationForUser(id, req.user!);
  if (!view) throw notFound("Invitation");
  const member = Boolean(await findMembership(view.org.id, req.user!.id));
  res.render("invitations/show", { title: `Join ${view.org.name}`, ...view, path: receivedPath(id), state: member ? "member" : "ready" });
}

/** POST /invitations/received/:id/accept or /decline — answers an invitation to the user's own address (bound to it as the link is). */
export function submitAnswerReceivedInvitation(ctx: AppContext, accept: boolean) {
  return async (req: Request, res: Response) => {
    const ref = { id: idParam(req.params.id, "Invitation") };
    const result = accept ? await acceptInvitation(ctx, ref, req.user!) : await declineInvitation(ref, req.user!);
    if (!result.ok) throw notFound("Invitation");
    if (!accept) {
      flash(req, "info", `You declined the invitation to ${result.org.name}.`);
      return res.redirect("/welcome/organization");
    }
    flash(req, "success", result.alreadyMember ? `You are already a member of ${result.org.name}.` : `Welcome to ${result.org.name}!`);
    res.redirect(`/orgs/${encodeURIComponent(result.org.slug)}`);
  };
}
