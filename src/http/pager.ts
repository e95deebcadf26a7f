import type { Request } from "express";
import { z } from "zod";
import { parseOrThrow } from "./validate";

/**
 * The one pager of lists, web and API: `?page=` (from 1) and, on the API, `?per_page=` (1..100,
 * default 30); web pages show a fixed number per page. A value that is not a page is the
 * catalogue's 422 with the field named, on both.
 */
export const PageQuery = z.object({
  page: z.coerce.number("Use a whole number.").int("Use a whole number.").min(1, "Pages start at 1.").max(100_000, "That page is too far.").default(1),
  per_page: z.coerce.number("Use a whole number.").int("Use a whole number.").min(1, "Use at least 1.").max(100, "Use at most 100.").default(30),
});

/** A page of a list: its number, its size and the offset to query. */
export interface Page {
  page: number;
  perPage: number;
  offset: number;
}

/** The page `req` asks for; `perPage` fixes the size (web pages), otherwise ?per_page= chooses it. */
export function pageOf(req: Request, perPage?: number): Page {
  const query = { page: req.query.page ?? undefined, per_page: perPage ?? req.query.per_page ?? undefined };
  const parsed = parseOrThrow(PageQuery, query);
  return { page: parsed.page, perPage: parsed.per_page, offset: (parsed.page - 1) * parsed.per_page };
}

/** The facts about a page that lists show: `{ page, per_page, total, total_pages }`. */
export function pageMeta(page: Page, total: number) {
  return { page: page.page, per_page: page.perPage, total, total_pages: Math.max(1, Math.ceil(total / page.perPage)) };
}
