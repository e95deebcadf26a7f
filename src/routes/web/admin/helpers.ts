import type { Request } from "express";

/** The sections of the admin layout's left navigation, in order: [key, label, path]. */
export const ADMIN_SECTIONS: readonly (readonly [key: string, label: string, path: string])[] = [
  ["users", "Users", "/admin/users"],
  ["orgs", "Organizations", "/admin/orgs"],
  ["settings", "Instance settings", "/admin/settings"],
  ["mail", "Failed mail", "/admin/mail"],
  ["audit", "Audit log", "/admin/audit"],
];

/** Rows per page of every admin list. */
export const ADMIN_PER_PAGE = 25;

/** The requested page of a list of `total` rows: out-of-range or malformed numbers give the nearest page. */
export function pageOf(req: Request, total: number, perPage = ADMIN_PER_PAGE): { page: number; pages: number; offset: number; limit: number } {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const requested = Number(req.query.page ?? 1);
  const page = Number.isSafeInteger(requested) && requested >= 1 ? Math.min(requested, pages) : 1;
  return { page, pages, offset: (page - 1) * perPage, limit: perPage };
}
