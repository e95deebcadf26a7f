import type { Request } from "express";
import { listOwnerUsernames } from "../db/memberships";
import { HttpError, RateLimitedError } from "../lib/errors";

/** How many owners a 403 page names. */
const OWNERS_SHOWN = 10;

/** What an error page offers beyond its message: the way forward from a refusal. */
export interface ErrorHelp {
  /** 403: the username the browser is signed in as (a refusal may just be the wrong account). */
  signedInAs?: string;
  /** 403 for a member whose role does not allow the action: the organization and the owners who can change the role. */
  org?: { name: string; slug: string; owners: string[] };
  /** 429: when the limit lets the next attempt through. */
  retryAt?: Date;
  /** 429 on the password sign-in: the page offers a password reset, since someone who keeps failing may have forgotten it. */
  signIn?: boolean;
}

/**
 * The help an error page shows for `err` on `req`. Owners are named only to a member of the
 * organization (req.actor is set by loadOrg to members alone), who can see them on the members page
 * anyway; an outsider got a 404 long before. If the owners cannot be read, the page goes without
 * them: an error page must not fail in turn.
 */
export async function errorHelpFor(req: Request, err: unknown, status: number): Promise<ErrorHelp> {
  if (status === 403 && req.user) {
    const help: ErrorHelp = { signedInAs: req.user.username };
    // The role refusal of `authorize` and the services (forbidden()), not a stale form or a token rule.
    const roleRefused = err instanceof HttpError && err.code === "forbidden";
    if (roleRefused && req.org && req.actor?.kind === "user") {
      const owners = await listOwnerUsernames(req.org.id, OWNERS_SHOWN).catch(() => []);
      help.org = { name: req.org.name, slug: req.org.slug, owners };
    }
    return help;
  }
  if (status === 429 && err instanceof RateLimitedError) {
    // Only the password sign-in form: a reset does not help past a second factor or a passkey.
    return { retryAt: new Date(Date.now() + err.retryAfterSeconds * 1000), signIn: req.baseUrl + req.path === "/login" };
  }
  return {};
}
