import type { Request, Response } from "express";
import { z } from "zod";
import { countOrganizations, searchOrganizations } from "../../../db/admin-directory";
import { countMembers, listMembers } from "../../../db/memberships";
import { listOrganizationDomains } from "../../../db/organization-domains";
import { findOrganizationBySlug, type OrganizationRow } from "../../../db/organizations";
import { flash } from "../../../http/flash";
import { adminContext } from "../../../http/require-site-admin";
import { notFound } from "../../../lib/errors";
import { deleteOrganizationAsAdmin } from "../../../services/admin-organizations";
import { approveDomainAsAdmin } from "../../../services/organization-domains";
import type { Valid } from "../../../http/validate";
import { ADMIN_SECTIONS, pageOf } from "./helpers";
import { searchOf } from "../../../http/search";

async function orgOf(req: Request): Promise<OrganizationRow> {
  const org = await findOrganizationBySlug(String(req.params.org));
  if (!org) throw notFound("Organization");
  return org;
}

/** GET /admin/orgs — every organization, searchable by slug or name, with its member count; paginated. */
export async function showOrganizations(req: Request, res: Response) {
  const q = searchOf(req);
  const total = await countOrganizations(q);
  const page = pageOf(req, total);
  const orgs = await searchOrganizations(q, page.limit, page.offset);
  res.render("admin/orgs/index", { title: "Organizations", section: "orgs", adminSections: ADMIN_SECTIONS, orgs, q: q ?? "", total, ...page });
}

/** GET /admin/orgs/:org — one organization, its domains and its members (paginated), with the domain approval form and the delete button. */
export async function showOrganization(req: Request, res: Response) {
  const org = await orgOf(req);
  const total = await countMembers(org.id);
  const page = pageOf(req, total);
  const [members, domains] = await Promise.all([listMembers(org.id, page.limit, page.offset), listOrganizationDomains(org.id)]);
  res.render("admin/orgs/show", { title: org.name, section: "orgs", adminSections: ADMIN_SECTIONS, org, members, domains, total, ...page });
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

/** GET /admin/orgs/:org/delete — asks again, with the slug to type. */
export async function showDeleteOrganization(req: Request, res: Response) {
  const org = await orgOf(req);
  res.render("admin/orgs/delete", { title: `Delete ${org.name}`, section: "orgs", adminSections: ADMIN_SECTIONS, org, errors: {}, values: {} });
}

/** POST /admin/orgs/:org/delete — deletes the organization once its slug was typed again. */
export async function submitDeleteOrganization(req: Request, res: Response) {
  const org = await orgOf(req);
  const typed = typeof req.body?.confirm_slug === "string" ? req.body.confirm_slug.trim() : "";
  if (typed.toLowerCase() !== org.slug.toLowerCase()) {
    return res.status(422).render("admin/orgs/delete", {
      title: `Delete ${org.name}`, section: "orgs", adminSections: ADMIN_SECTIONS, org, errors: { confirm_slug: `Type ${org.slug} to confirm.` }, values: { confirm_slug: typed },
    });
  }
  await deleteOrganizationAsAdmin(adminContext(req), org.id);
  flash(req, "success", `The organization ${org.name} (${org.slug}) was deleted.`);
  res.redirect("/admin/orgs");
}
