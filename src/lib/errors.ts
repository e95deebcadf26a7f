import { rateLimitRefusals } from "../metrics/registry";
/**
 * The error catalogue: every refusal the app answers with, by name, with its status, code and the
 * message people see. Services and route steps throw these; the web error handler
 * (src/http/errors.ts) renders them as a page, or, for a ValidationError on a form, as messages
 * beside the fields of the re-rendered form; the API renders them as
 * `{"error": {"code", "message", "fields"?}}`. Say a refusal here once rather than in each caller.
 */

/** Field errors keyed by input field name (the form's and the API body's alike), one message each. */
export type FieldErrors = Record<string, string>;

/** An error with an HTTP status and a message safe to show to the user. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly code = defaultCode(status),
    /** Messages per input field, when the refusal is about particular fields. */
    public readonly fields?: FieldErrors,
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

/**
 * 422: the input is not acceptable; one message per field (`_form` for the input as a whole). The
 * general message is for the API's error body, whose `fields` say the rest; pages show the field
 * messages beside their fields.
 */
export class ValidationError extends HttpError {
  declare readonly fields: FieldErrors;
  constructor(fields: FieldErrors, message = "Some fields are not valid; each one's message says why.") {
    super(422, message, "invalid", fields);
  }
}

/** 409: a rule of the data refused the change (the last owner, a state that moved on). */
export class ConflictError extends HttpError {
  constructor(message: string, code = "conflict") {
    super(409, message, code);
  }
}

/** 404 for records that do not exist or that the actor may not know exist. */
export const notFound = (what = "Page") => new HttpError(404, `${what} not found`);

/** The one message for a member whose role does not allow an action. */
export const FORBIDDEN_MESSAGE = "Your role in this organization does not allow that.";

/** 403 for a member whose role does not allow the action (they know the organization exists). */
export const forbidden = () => new HttpError(403, FORBIDDEN_MESSAGE);

/** 403 for an organization token that tried to make, change, remove or invite an owner (a person's decision only). */
export const ownersInPerson = () =>
  new HttpError(403, "Only an owner, signed in as a person, can make, change, remove or invite owners; an organization token cannot.", "owners_in_person");

/** 403 on the API for an account whose email address is not confirmed (the web's rule too). */
export const emailUnconfirmed = () => new HttpError(403, "Confirm your email address before using the API.", "unconfirmed");

/** 403 on the API for a user endpoint called with an organization or team token. */
export const personalTokenRequired = () => new HttpError(403, "This endpoint needs a personal access token.");

/**
 * 429 when a limit is exhausted; answered with a Retry-After header of `retryAfterSeconds`.
 * `limit` names the limit in the refusal counter (gatehouse_rate_limit_refusals_total), counted here
 * since every refusal is made by throwing this.
 */
export class RateLimitedError extends HttpError {
  constructor(public readonly retryAfterSeconds: number, limit: string) {
    super(429, `Too many attempts. Please wait ${describeWait(retryAfterSeconds)} and try again.`);
    rateLimitRefusals.inc({ limit });
  }
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, seconds)} seconds`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}

/** The message people see when a change would leave an organization without an owner. */
export const LAST_OWNER_MESSAGE = "An organization needs at least one owner. Make someone else an owner first.";

/** 409 for a change that would leave an organization without an owner. */
export const lastOwner = (message = LAST_OWNER_MESSAGE) => new ConflictError(message, "last_owner");

/** True for PostgreSQL unique-violation errors, optionally on one constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === "23505" && (!constraint || e.constraint === constraint);
}

/** The `scimType` values of RFC 7644 §3.12 that Gatehouse answers with. */
export type ScimType = "uniqueness" | "invalidFilter" | "invalidValue" | "invalidPath" | "invalidSyntax" | "noTarget" | "mutability" | "tooMany";

/**
 * A refusal of the SCIM protocol (RFC 7644 §3.12): a status and, for 400 and 409, the `scimType`
 * an identity provider acts on (a 409 `uniqueness` tells it the user exists already). The SCIM
 * router renders it, and every other error of this catalogue, in SCIM's error shape.
 */
export class ScimError extends HttpError {
  constructor(status: number, message: string, public readonly scimType?: ScimType) {
    super(status, message, scimType ?? defaultCode(status));
  }
}
