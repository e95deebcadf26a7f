import type { NextFunction, Request, Response } from "express";
import type { z } from "zod";
import { ValidationError, type FieldErrors } from "../lib/errors";
import { flash } from "./flash";

/**
 * The validate step of the route map: `validate(Schema)` checks the request body with a zod schema
 * before the handler runs. On success `req.body` is replaced by the parsed value, so the handler
 * reads exactly the schema's fields (zod strips the rest, which is what makes mass assignment
 * impossible; strict API schemas name each unknown field instead). On failure:
 *  - on the API (no form given): a ValidationError, which the error handler answers as 422
 *    `{"error": {"code": "invalid", "message", "fields"}}`;
 *  - on a web form: 422 with the form's page shown again (`page`, the handler's show function),
 *    the messages beside their fields and the typed values kept (never passwords or codes).
 *    The page is remembered on the request, so a ValidationError the handler or its service throws
 *    later (a taken name) is shown on the same page by the web error handler (src/http/errors.ts).
 *  - a form whose page is elsewhere (a select on a list) names `back`: the first message is
 *    flashed there instead (Post/Redirect/Get).
 */

/** A page that shows a form; it reads `res.locals.values` and `res.locals.errors` when set. */
export type FormPage = (req: Request, res: Response) => unknown;

/** Where a web form's failures are shown. */
export interface FormOptions {
  /** The page to render again with 422. */
  page?: FormPage;
  /** Instead of a page: flash the message and redirect to this path. */
  back?: (req: Request) => string;
  /** The locals the page reads this form's errors and values from, when it has several forms. */
  errorsLocal?: string;
  valuesLocal?: string;
  /** One message for the whole form instead of per field (forms no person can get wrong, like checkboxes). */
  summary?: string;
  /**
   * Hidden fields a script fills (a passkey's `response`): their message is the form's message,
   * since the person has no field to correct, and their value is not shown again.
   */
  hidden?: string[];
}

declare global {
  namespace Express {
    interface Request {
      /** Set by validate(Schema, form): where this request's field errors are shown. */
      form?: FormOptions & { values: Record<string, string>; params: Record<string, string | string[]> };
    }
  }
}

/** A schema, or a function choosing it for the request (a form that differs by account state). */
type SchemaFor<S extends z.ZodType> = S | ((req: Request) => S);

/** The request as a handler after validate(Schema) sees it: the body is the schema's output. */
export type Valid<S extends z.ZodType> = Request<Record<string, string>, unknown, z.output<S>>;

/** The messages of a failed parse, one per top-level field (`_form` for the body as a whole). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[key] ??= "Unknown field.";
    } else {
      fields[String(issue.path[0] ?? "_form")] ??= issue.message;
    }
  }
  return fields;
}

/** Parses `value` with `schema`, returning the output or throwing the catalogue's 422. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new ValidationError(fieldErrors(result.error));
  return result.data;
}

/** The validate step (see the module comment). */
export function validate<S extends z.ZodType>(schema: SchemaFor<S>, form?: FormPage | FormOptions) {
  const options: FormOptions | undefined = typeof form === "function" ? { page: form } : form;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (options) req.form = { ...options, values: keptValues(req.body, options.hidden), params: { ...req.params } };
    const chosen = typeof schema === "function" ? schema(req) : schema;
    req.body = parseOrThrow(chosen, req.body);
    next();
  };
}

/**
 * Shows a refused form again: its page with 422, or a flash and a redirect for `back` forms.
 * Called by the web error handler for any ValidationError on a request that went through validate.
 */
export async function showFormErrors(req: Request, res: Response, err: ValidationError): Promise<void> {
  const form = req.form!;
  // The error handler runs outside the route, where Express has put the route's parameters away.
  req.params = form.params as Request["params"];
  const errors = form.summary ? { _form: form.summary } : formErrors(err.fields, form.hidden);
  if (form.back) {
    flash(req, "error", Object.values(errors)[0] ?? err.message);
    return res.redirect(form.back(req));
  }
  res.status(422);
  res.locals[form.errorsLocal ?? "errors"] = errors;
  res.locals[form.valuesLocal ?? "values"] = form.values;
  res.locals.refusedValues = form.valuesLocal ?? "values";
  await form.page!(req, res);
}

/** The messages as the page shows them: those of hidden fields become the form's message. */
function formErrors(fields: FieldErrors, hidden: string[] = []): FieldErrors {
  const shown: FieldErrors = {};
  for (const [key, message] of Object.entries(fields)) {
    if (hidden.includes(key)) shown._form ??= message;
    else shown[key] = message;
  }
  return shown;
}

/**
 * The values a form's page shows: what was typed, when the page is shown again for this form's
 * 422 (`local` names the form's values on pages with several forms), else `stored`.
 */
export function formValues(res: Response, stored: Record<string, unknown>, local = "values"): Record<string, unknown> {
  return res.locals.refusedValues === local ? res.locals[local] : stored;
}

/**
 * The fields never shown again: passwords and their confirmation, one-time codes, secrets and the
 * CSRF token. Settings about them (password_min_length) are ordinary values.
 */
const UNKEPT = /^(_csrf|code)$|(^|_)password(_confirmation)?$|secret/i;

/** The submitted values to show again in a form, without any password fields (nor the `hidden` ones). */
export function keptValues(body: unknown, hidden: string[] = []): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (UNKEPT.test(key) || hidden.includes(key)) continue;
    if (typeof value === "string") kept[key] = value;
  }
  return kept;
}
