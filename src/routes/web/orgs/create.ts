import type { Request, Response } from "express";
import type { AppContext } from "../../../context";
import { flash } from "../../../http/flash";
import { keptValues, parseBody } from "../../../http/validate";
import { createOrganization, OrganizationForm } from "../../../services/organizations";
import { orgPath } from "./helpers";

/** GET /orgs/new — the form that creates an organization. */
export function showNewOrganization(_req: Request, res: Response) {
  res.render("orgs/new", { title: "New organization" });
}

/** POST /orgs/new — creates the organization with the signed-in user as its owner (a few per account and day). */
export function submitNewOrganization(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const values = keptValues(req.body);
    const parsed = parseBody(OrganizationForm, req.body);
    if (!parsed.ok) return res.status(422).render("orgs/new", { title: "New organization", values, errors: parsed.errors });
    const result = await createOrganization(ctx, req.user!, parsed.data);
    if (!result.ok) return res.status(422).render("orgs/new", { title: "New organization", values, errors: result.errors });
    flash(req, "success", `Created ${result.org.name}. You are its owner.`);
    res.redirect(orgPath(result.org.slug));
  };
}
