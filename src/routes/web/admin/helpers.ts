import type { Request } from "express";
import { pageWithin, type CountedPage } from "../../../http/pager";
import { searchOf } from "../../../http/search";

/** The sections of the admin layout's left navigation, in order: [key, label, path]. */
export const ADMIN_SECTIONS: readonly (readonly [key: string, label: string, path: string])[] = [
  ["users", "Users", "/admin/users"],
  ["orgs", "Organizations", "/admin/orgs"],
  ["settings", "Instance settings", "/admin/settings"],
  ["mail", "Failed mail", "/admin/mail"],
  ["audit", "Audit log", "/admin/audit"],
];

/** Rows per page of every admin list but the audit log. */
export const ADMIN_PER_PAGE = 25;

/**
 * One page of an admin list searched by `?q=` (users, organizations): the rows, the search text and
 * the pager's facts (page, pages, total) that the list and its _pager partial show.
 */
export async function searchedPage<T>(
  req: Request,
  count: (q: string | undefined) => Promise<number>,
  search: (q: string | undefined, limit: number, offset: number) => Promise<T[]>,
): Promise<CountedPage & { rows: T[]; q: string }> {
  const q = searchOf(req);
  const page = pageWithin(req, await count(q), ADMIN_PER_PAGE);
  return { ...page, rows: await search(q, page.perPage, page.offset), q: q ?? "" };
}
