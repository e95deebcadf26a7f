import type { Request, Response } from "express";
import type { AppContext } from "../../../context";
import { z } from "zod";
import { countOrganizations, searchOrganizations } from "../../../db/admin-directory";
import { countMembers, listMembers } from "../../../db/memberships";
import { listOrganizationDomains } from "../../../db/organization-domains";
import { findOrganizationBySlug, type OrganizationRow } from "../../../db/organizations";
import { flash } from "../../../http/flash";
import { adminContext } from "../../../http/require-site-admin";
import { formValues, type Valid } from "../../../http/validate";
import { notFound, ValidationError } from "../../../lib/errors";
import { deleteOrganizationAsAdmin } from "../../../services/admin-organizations";
import { approveDomainAsAdmin } from "../../../services/organization-domains";
import { pageWithin } from "../../../http/pager";
import { ADMIN_PER_PAGE, ADMIN_SECTIONS, searchedPage } from "./helpers";

async function orgOf(req: Request): Promise<OrganizationRow> {
  const org = await findOrganizationBySlug(String(req.params.org));
  if (!org) throw notFound("Organization");
  return org;
}

/** GET /admin/orgs — every organization, searchable by slug or name, with its member count; paginated. */
export async function showOrganizations(req: Request, res: Response) {
  const { rows: orgs, ...list } = await searchedPage(req, countOrganizations, searchOrganizations);
  res.render("admin/orgs/index", { title: "Organizations", section: "orgs", adminSections: ADMIN_SECTIONS, orgs, ...list });
}

/** GET /admin/orgs/:org — one organization, its domains and its members (paginated), with the domain approval form and the delete button. */
export async function showOrganization(req: Request, res: Response) {
  const org = await orgOf(req);
  const page = pageWithin(req, await countMembers(org.id), ADMIN_PER_PAGE);
  const [members, domains] = await Promise.all([listMembers(org.id, page.perPage, page.offset), listOrganizationDomains(org.id)]);
  res.render("admin/orgs/show", { title: org.name, section: "orgs", adminSections: ADMIN_SECTIONS, org, members, domains, ...page });
}

/** POST /admin/orgs/:org/domains: the domain to approve without DNS. */
export const AdminDomainForm = z.object({ domain: z.string().trim().min(1, "Enter a domain, like example.com.").max(253, "That is not a valid domain name.") });

/** POST /admin/orgs/:org/domains — a site admin marks a domain verified for the organization (audited); a taken or invalid domain shows the page again with 422. */
export async function submitApproveDomain(req: Valid<typeof AdminDomainForm>, res: Response) {
  const org = await orgOf(req);
  const domain = await approveDomainAsAdmin(adminContext(req), org, req.body.domain);
  flash(req, "success", `${domain} is verified for ${org.name}.`);
  res.redirect(`/admin/orgs/${encodeURIComponent(org.slug)}`);
}

/** POST /admin/orgs/:org/delete: the slug typed again; anything else (missing, not text) is answered like a wrong one. */
export const AdminDeleteOrganizationForm = z.object({ confirm_slug: z.string().trim().max(100).catch("") });

/** GET /admin/orgs/:org/delete — asks again, with the slug to type (again on a 422). */
export async function showDeleteOrganization(req: Request, res: Response) {
  const org = await orgOf(req);
  res.render("admin/orgs/delete", { title: `Delete ${org.name}`, section: "orgs", adminSections: ADMIN_SECTIONS, org, values: formValues(res, {}) });
}

/** POST /admin/orgs/:org/delete — deletes the organization once its slug was typed again, and mails its members. */
export function submitDeleteOrganization(ctx: AppContext) {
  return async (req: Valid<typeof AdminDeleteOrganizationForm>, res: Response) => {
    const org = await orgOf(req);
    if (req.body.confirm_slug.toLowerCase() !== org.slug.toLowerCase()) throw new ValidationError({ confirm_slug: `Type ${org.slug} to confirm.` });
    await deleteOrganizationAsAdmin(ctx, adminContext(req), org.id);
    flash(req, "success", `The organization ${org.name} (${org.slug}) was deleted and its members were told by mail.`);
    res.redirect("/admin/orgs");
  };
}
