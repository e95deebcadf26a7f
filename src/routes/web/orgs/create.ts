import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { flash } from "../../../http/flash";
import type { Valid } from "../../../http/validate";
import { nameSchema } from "../../../lib/display-text";
import { handleSchema } from "../../../lib/handles";
import { createOrganization } from "../../../services/organizations";
import { orgPath } from "./helpers";

/**
 * POST /orgs/new and POST /orgs/:org/settings: display name and URL slug. An organization's name
 * is shown to strangers (invitation mail subjects, the invitation page), so it obeys the same
 * character rule as display names.
 */
export const OrganizationForm = z.object({ name: nameSchema(64, "Enter a name."), slug: handleSchema });

/** GET /orgs/new — the form that creates an organization (and the form again on a 422). */
export function showNewOrganization(_req: Request, res: Response) {
  res.render("orgs/new", { title: "New organization" });
}

/** POST /orgs/new — creates the organization with the signed-in user as its owner (a few per account and day). */
export function submitNewOrganization(ctx: AppContext) {
  return async (req: Valid<typeof OrganizationForm>, res: Response) => {
    const org = await createOrganization(ctx, req.user!, req.body);
    flash(req, "success", `Created ${org.name}. You are its owner.`);
    res.redirect(orgPath(org.slug));
  };
}
