import type { Request } from "express";
import { z } from "zod";
import { ValidationError } from "../lib/errors";
import { fieldErrors } from "./validate";

/**
 * The one pager of lists, web and API: `?page=` (from 1) and, on the API, `?per_page=` (1..100,
 * default 30); web pages show a fixed number per page. A value that is not a page is the
 * catalogue's 422 with the field named, on both (a web list has no form to show it beside, so its
 * message says what was wrong).
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
  const parsed = PageQuery.safeParse(query);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error), "That is not a page of this list: ?page= takes a whole number from 1.");
  const { page, per_page } = parsed.data;
  return { page, perPage: per_page, offset: (page - 1) * per_page };
}

/** A page of a list whose rows were counted: the page shown, and how many rows and pages there are. */
export interface CountedPage extends Page {
  total: number;
  pages: number;
}

/**
 * The page `req` asks for within `total` rows of `perPage` each, for web lists that show
 * "Page 2 of 5": a page past the end shows the last one (the list may have shrunk since the link
 * was made), a value that is not a page is the 422 of pageOf.
 */
export function pageWithin(req: Request, total: number, perPage: number): CountedPage {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(pageOf(req, perPage).page, pages);
  return { page, perPage, offset: (page - 1) * perPage, total, pages };
}

/** The facts about a page that lists show: `{ page, per_page, total, total_pages }`. */
export function pageMeta(page: Page, total: number) {
  return { page: page.page, per_page: page.perPage, total, total_pages: Math.max(1, Math.ceil(total / page.perPage)) };
}
