import type { Request, Response } from "express";
import { listOrganizationsForUser } from "../../../db/memberships";

/** GET /settings/organizations — the user's organizations with their role and a Leave button. */
export async function showOrganizationSettings(req: Request, res: Response) {
  const memberships = await listOrganizationsForUser(req.user!.id);
  res.render("settings/organizations/index", { title: "Organizations", section: "organizations", memberships });
}
