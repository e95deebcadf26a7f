import type { Request, Response } from "express";
import { listOrganizationsForUser } from "../../db/memberships";
import { renderConfirmPending } from "../../http/confirm-pending";

/** GET / — the landing page when signed out, the home page when signed in. */
export async function showHome(req: Request, res: Response) {
  if (!req.user) return res.render("home/landing", { title: "Welcome" });
  if (!req.user.email_confirmed_at) return renderConfirmPending(req, res);
  // Organizations: the home page lists the user's organizations.
  const organizations = await listOrganizationsForUser(req.user.id);
  res.render("home/index", { title: "Home", organizations });
}
