import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { ValidationError } from "../../lib/errors";

/**
 * Pagination of every API list: `?page=` (from 1) and `?per_page=` (1..100, default 30). The body
 * is `{"data": [...], "meta": {"page", "per_page", "total", "total_pages"}}` and a `Link` header
 * (RFC 8288) names the first, prev, next and last pages, built from BASE_URL, never from the Host
 * header.
 */
export const PageQuery = z.object({
  page: z.coerce.number("Use a whole number.").int("Use a whole number.").min(1, "Pages start at 1.").max(100_000, "That page is too far.").default(1),
  per_page: z.coerce.number("Use a whole number.").int("Use a whole number.").min(1, "Use at least 1.").max(100, "Use at most 100.").default(30),
});

/** The requested page, with the offset to query; throws a ValidationError (422) for bad values. */
export function pageOf(req: Request): { page: number; perPage: number; offset: number } {
  const parsed = PageQuery.safeParse({ page: req.query.page ?? undefined, per_page: req.query.per_page ?? undefined });
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
    throw new ValidationError(fields);
  }
  const { page, per_page } = parsed.data;
  return { page, perPage: per_page, offset: (page - 1) * per_page };
}

/** Sends one page of a list with its meta object and Link header. */
export function sendPage<T>(ctx: AppContext, req: Request, res: Response, items: T[], page: { page: number; perPage: number }, total: number) {
  const totalPages = Math.max(1, Math.ceil(total / page.perPage));
  const link = (p: number, rel: string) => {
    const url = new URL(`${ctx.config.baseUrl}${req.baseUrl}${req.path}`);
    url.searchParams.set("page", String(p));
    url.searchParams.set("per_page", String(page.perPage));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [link(1, "first")];
  if (page.page > 1) links.push(link(Math.min(page.page - 1, totalPages), "prev"));
  if (page.page < totalPages) links.push(link(page.page + 1, "next"));
  links.push(link(totalPages, "last"));
  res.setHeader("Link", links.join(", "));
  res.json({ data: items, meta: { page: page.page, per_page: page.perPage, total, total_pages: totalPages } });
}
