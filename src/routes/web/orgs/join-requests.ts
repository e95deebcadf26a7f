import type { Request, Response } from "express";
import type { AppContext } from "../../../context";
import { listPendingJoinRequests } from "../../../db/join-requests";
import { flash } from "../../../http/flash";
import { idParam } from "../../../http/params";
import { decideJoinRequest, requestToJoin, type JoinOutcome } from "../../../services/join-requests";
import { orgPath } from "./helpers";

/** GET /orgs/:org/join-requests — the pending requests to join, with approve and deny (owners and admins). */
export async function showJoinRequests(req: Request, res: Response) {
  const org = req.org!;
  const requests = await listPendingJoinRequests(org.id);
  res.render("orgs/join-requests", { title: `Join requests · ${org.name}`, tab: "join-requests", requests });
}

/** POST /orgs/:org/join-requests/:id/approve or /deny — decides a pending request once. */
export function submitDecideJoinRequest(ctx: AppContext, approve: boolean) {
  return async (req: Request, res: Response) => {
    const org = req.org!;
    const { username } = await decideJoinRequest(ctx, org, req.actor!, idParam(req.params.id, "Join request"), approve);
    flash(req, "success", approve ? `${username} is now a member of ${org.name}.` : `Denied ${username}'s request to join.`);
    res.redirect(orgPath(org.slug, "/join-requests"));
  };
}

const OUTCOME: Record<JoinOutcome, (name: string) => string> = {
  joined: (name) => `Welcome to ${name}!`,
  already_member: (name) => `You are already a member of ${name}.`,
  requested: (name) => `You asked to join ${name}. Its owners and admins decide; we will email you.`,
  already_requested: (name) => `Your request to join ${name} is waiting for its owners and admins.`,
};

/**
 * POST /orgs/:org/join-requests — asks to join, or joins, as the organization's policy says. Not
 * behind loadOrg, since the person is not a member: the service finds the organization only through
 * a verified domain matching their confirmed address, and answers 404 for any other slug.
 */
export function submitJoinRequest(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const { outcome, org } = await requestToJoin(ctx, req.user!, String(req.params.org));
    flash(req, "success", OUTCOME[outcome](org.name));
    res.redirect(outcome === "joined" || outcome === "already_member" ? orgPath(org.slug) : "/welcome/organization");
  };
}
