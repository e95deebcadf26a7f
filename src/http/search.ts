import type { Request } from "express";

/** The search text of a list's `?q=`, trimmed and capped at 100 characters, or undefined when empty. */
export function searchOf(req: Request): string | undefined {
  const raw = typeof req.query.q === "string" ? req.query.q.trim().slice(0, 100) : "";
  return raw || undefined;
}
