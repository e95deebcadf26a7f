import type { Request, Response } from "express";
import type { AppContext } from "../../../context";
import { z } from "zod";
import { findSsoProvider } from "../../../db/organization-sso";
import { flash } from "../../../http/flash";
import { formValues, type Valid } from "../../../http/validate";
import { canManageDomains } from "../../../policies/organizations";
import { deleteOrganization, updateOrganization } from "../../../services/organizations";
import type { OrganizationForm } from "./create";
import { orgPath } from "./helpers";

/** POST /orgs/:org/delete: the slug typed again. */
export const DeleteOrganizationForm = z.object({ confirm_slug: z.string().trim().max(100, "Type the organization's address to confirm.") });

/** GET /orgs/:org/settings — rename, change the slug, delete (owners only); and either form again on a 422. */
export async function showOrgSettings(req: Request, res: Response) {
  const org = req.org!;
  // The organization's policies are on this page, so it says whether single sign-on is set up and
  // required too, to those who may change it on its own page.
  const provider = canManageDomains(req.actor!) ? await findSsoProvider(org.id) : undefined;
  res.render("orgs/settings", {
    title: `Settings · ${org.name}`,
    tab: "settings",
    values: formValues(res, { name: org.name, slug: org.slug }),
    deleteErrors: res.locals.deleteErrors ?? {},
    sso: provider ? { protocol: provider.protocol, required: provider.require_sso } : undefined,
  });
}

/** POST /orgs/:org/settings — saves the name and slug. */
export async function submitOrgSettings(req: Valid<typeof OrganizationForm>, res: Response) {
  const org = await updateOrganization(req.org!, req.actor!, req.body);
  flash(req, "success", org.slug === req.org!.slug ? "Saved." : `Saved. The organization's address is now ${orgPath(org.slug)}.`);
  res.redirect(orgPath(org.slug, "/settings"));
}

/** POST /orgs/:org/delete — deletes the organization once its slug was typed again, and mails its members. */
export function submitDeleteOrganization(ctx: AppContext) {
  return async (req: Valid<typeof DeleteOrganizationForm>, res: Response) => {
    await deleteOrganization(ctx, req.org!, { ...req.actor!, username: req.user!.username }, req.body.confirm_slug);
    flash(req, "success", `Deleted the organization ${req.org!.name}. Its members were told by email.`);
    res.redirect("/");
  };
}
