import type { Request, Response } from "express";
import { flash } from "../../../http/flash";
import { keptValues, parseBody } from "../../../http/validate";
import { DeleteOrganizationForm, deleteOrganization, OrganizationSettingsForm, updateOrganization } from "../../../services/organizations";
import { orgPath } from "./helpers";

function render(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
  const org = req.org!;
  res.status(status).render("orgs/settings", {
    title: `Settings · ${org.name}`,
    tab: "settings",
    values: { name: org.name, slug: org.slug },
    errors: {},
    deleteErrors: {},
    ...extra,
  });
}

/** GET /orgs/:org/settings — rename, change the slug, delete (owners only). */
export function showOrgSettings(req: Request, res: Response) {
  render(req, res);
}

/** POST /orgs/:org/settings — saves the name and slug. */
export async function submitOrgSettings(req: Request, res: Response) {
  const values = keptValues(req.body);
  const parsed = parseBody(OrganizationSettingsForm, req.body);
  if (!parsed.ok) return render(req, res, 422, { values, errors: parsed.errors });
  const result = await updateOrganization(req.org!, req.membership!, parsed.data);
  if (!result.ok) return render(req, res, 422, { values, errors: result.errors });
  flash(req, "success", result.org.slug === req.org!.slug ? "Saved." : `Saved. The organization's address is now ${orgPath(result.org.slug)}.`);
  res.redirect(orgPath(result.org.slug, "/settings"));
}

/** POST /orgs/:org/delete — deletes the organization once its slug was typed again. */
export async function submitDeleteOrganization(req: Request, res: Response) {
  const parsed = parseBody(DeleteOrganizationForm, req.body);
  const typed = parsed.ok ? parsed.data.confirm_slug : "";
  const result = await deleteOrganization(req.org!, req.membership!, typed);
  if (!result.ok) return render(req, res, 422, { deleteErrors: result.errors, deleteValues: { confirm_slug: typed } });
  flash(req, "success", `Deleted the organization ${req.org!.name}.`);
  res.redirect("/");
}
