import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { pageMeta, type Page } from "../../http/pager";
import { ValidationError } from "../../lib/errors";

/** The search text of an API list's `?q=`, trimmed, or undefined when empty; over 100 characters is a 422, not a silent cut. */
export function searchParam(req: Request): string | undefined {
  const q = typeof req.query.q === "string" ? req.query.q.trim() : "";
  if (q.length > 100) throw new ValidationError({ q: "Use at most 100 characters." });
  return q || undefined;
}

/**
 * Sends one page of an API list (parsed by the one pager, src/http/pager.ts) as
 * `{"data": [...], "meta": {"page", "per_page", "total", "total_pages"}}` with a `Link` header
 * (RFC 8288) naming the first, prev, next and last pages, built from BASE_URL, never from the
 * Host header. The links keep the request's other parameters (a search's `q`), so following them
 * pages through the same list.
 */
export function sendPage<T>(ctx: AppContext, req: Request, res: Response, items: T[], page: Page, total: number) {
  const meta = pageMeta(page, total);
  const link = (p: number, rel: string) => {
    const url = new URL(`${ctx.config.baseUrl}${req.baseUrl}${req.path}`);
    url.search = new URL(req.originalUrl, "http://request.invalid").search;
    url.searchParams.delete("page");
    url.searchParams.delete("per_page");
    url.searchParams.set("page", String(p));
    url.searchParams.set("per_page", String(page.perPage));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [link(1, "first")];
  if (page.page > 1) links.push(link(Math.min(page.page - 1, meta.total_pages), "prev"));
  if (page.page < meta.total_pages) links.push(link(page.page + 1, "next"));
  links.push(link(meta.total_pages, "last"));
  res.setHeader("Link", links.join(", "));
  res.json({ data: items, meta });
}
