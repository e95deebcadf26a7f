import type { z } from "zod";
import type { FieldErrors } from "../lib/errors";

export type ParseResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/**
 * Validates a form or JSON body with a zod schema. Only the schema's fields come out (zod strips the
 * rest), which is what makes mass assignment impossible. Errors are keyed by field, first one each.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): ParseResult<z.infer<S>> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "_form");
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The submitted values to show again in a form, without any password fields. */
export function keptValues(body: unknown): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (/password|_csrf|code|secret/i.test(key)) continue;
    if (typeof value === "string") kept[key] = value;
  }
  return kept;
}
