/** An error with an HTTP status and a message safe to show to the user. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly code = defaultCode(status),
  ) {
    super(message);
  }
}

function defaultCode(status: number): string {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 422: return "invalid";
    case 429: return "rate_limited";
    default: return "error";
  }
}

/** 404 for records that do not exist or that the actor may not know exist. */
export const notFound = (what = "Page") => new HttpError(404, `${what} not found`);

/** Field errors keyed by form field name, one message each. */
export type FieldErrors = Record<string, string>;

/** A validation failure carrying messages for specific fields. */
export class ValidationError extends Error {
  constructor(public readonly fields: FieldErrors) {
    super("Please correct the highlighted fields.");
  }
}

/** True for PostgreSQL unique-violation errors, optionally on one constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === "23505" && (!constraint || e.constraint === constraint);
}
