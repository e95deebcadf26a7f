import type { z } from "zod";
import { ValidationError, type FieldErrors } from "../../lib/errors";

/**
 * Validates a JSON body with a zod schema and returns the parsed value, or throws a ValidationError
 * (422 with one message per field). Only the schema's fields come out, so a body cannot write other
 * columns; strict schemas also name each unknown field instead of ignoring it.
 */
export function validBody<S extends z.ZodType>(schema: S, body: unknown, messages: Record<string, string> = {}): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[key] ??= messages[key] ?? "Unknown field.";
    } else {
      fields[String(issue.path[0] ?? "_body")] ??= issue.message;
    }
  }
  throw new ValidationError(fields);
}
