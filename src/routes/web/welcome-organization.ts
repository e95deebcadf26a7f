import type { Request, Response } from "express";
import { listLiveInvitationsForEmail } from "../../db/invitations";
import { emailDomain } from "../../lib/domain-names";
import { joinOptionsFor } from "../../services/join-requests";

/**
 * GET /welcome/organization — the first-run step after "about you": create an organization, or
 * join one, from pending invitations to the user's address and from organizations holding the
 * address's domain verified whose policy lets its people in; or skip to the home page. Only for
 * confirmed accounts (the route map), since the address is what decides.
 */
export async function showWelcomeOrganization(req: Request, res: Response) {
  const user = req.user!;
  const [invitations, joinable] = await Promise.all([listLiveInvitationsForEmail(user.email), joinOptionsFor(user)]);
  res.render("welcome/organization", { title: "Join your team", invitations, joinable, domain: emailDomain(user.email) });
}
