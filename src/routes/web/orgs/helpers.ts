import type { Request, Response } from "express";
import { flash } from "../../../http/flash";
import { ConflictError } from "../../../lib/errors";

/**
 * Runs a state change and answers Post/Redirect/Get: the success message, or the rule that refused
 * it (last owner, ...) as an error message on the same page. Other errors go to the error page.
 */
export async function actThenRedirect(req: Request, res: Response, back: string, work: () => Promise<string>): Promise<void> {
  try {
    const message = await work();
    flash(req, "success", message);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    flash(req, "error", err.message);
  }
  res.redirect(back);
}

/** The path of an organization page. */
export const orgPath = (slug: string, rest = "") => `/orgs/${encodeURIComponent(slug)}${rest}`;

/** "an owner", "an admin", "a member". */
export const roleWithArticle = (role: string) => (role === "member" ? "a member" : `an ${role}`);
