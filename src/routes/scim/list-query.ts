import type { Request } from "express";
import { z } from "zod";
import { parseOrThrow } from "../../http/validate";
import { parseScimFilter, type FilterTest } from "../../services/scim/filter";

/** The most resources one list answer holds (ServiceProviderConfig's filter.maxResults). */
export const SCIM_MAX_RESULTS = 200;

/**
 * The query of a SCIM list (RFC 7644 §3.4.2): `filter`, `startIndex` (from 1; smaller means 1) and
 * `count` (0 to 200, default 100; negative means 0), and `excludedAttributes` (only "members" of
 * Groups changes an answer). Not the web/API pager: SCIM numbers resources, not pages.
 */
const ScimListQuery = z.object({
  filter: z.string().max(1000, "Use at most 1000 characters.").optional(),
  startIndex: z.coerce.number("Use a whole number.").int("Use a whole number.").default(1).transform((n) => Math.max(1, Math.min(n, 1_000_000))),
  count: z.coerce.number("Use a whole number.").int("Use a whole number.").default(100).transform((n) => Math.max(0, Math.min(n, SCIM_MAX_RESULTS))),
  excludedAttributes: z.string().max(1000).optional(),
});

/** The list query of `req`, its filter parsed. */
export function scimListQuery(req: Request): { tests: FilterTest[]; startIndex: number; count: number; excluded: Set<string> } {
  const q = req.query as Record<string, unknown>;
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const parsed = parseOrThrow(ScimListQuery, { filter: one(q.filter), startIndex: one(q.startIndex), count: one(q.count), excludedAttributes: one(q.excludedAttributes) });
  return { tests: parsed.filter ? parseScimFilter(parsed.filter) : [], startIndex: parsed.startIndex, count: parsed.count, excluded: excludedOf(parsed.excludedAttributes) };
}

/** The lower-cased attribute names of `excludedAttributes` (also of a GET by id). */
export function excludedOf(value: unknown): Set<string> {
  return new Set(typeof value === "string" ? value.split(",").map((a) => a.trim().toLowerCase()) : []);
}
