import type { NextFunction, Request, Response } from "express";
import type {} from "./session-keys";
import { flash } from "./flash";
import { hasTwoFactorEnabled } from "../db/totp-credentials";

/** How long a fresh proof of identity opens sensitive actions in its session ("sudo mode"). */
export const RECENT_AUTH_MS = 10 * 60_000;

/** Notes a fresh proof of identity in this session. */
export function markReauthenticated(req: Request, secondFactor: boolean): void {
  req.session.recentAuth = { at: Date.now(), secondFactor };
}

/** Whether this session proved its user recently enough (with the second factor when asked). */
export function isRecentlyAuthenticated(req: Request, needSecondFactor = false): boolean {
  const recent = req.session?.recentAuth;
  if (!recent || Date.now() - recent.at > RECENT_AUTH_MS) return false;
  return !needSecondFactor || recent.secondFactor;
}

/**
 * Route step before a sensitive action: without a fresh proof of identity the browser goes to
 * /settings/reauthenticate, which comes back to `returnTo` (the page with the form; by default the
 * requested path) once done. Nothing is replayed: a POST that arrived without a fresh proof did
 * nothing, and the person submits the form again, knowing what it does. `secondFactor` asks for
 * the second factor itself (turning 2FA off, new recovery codes); `when` limits the step to the
 * requests it says (one route that starts both sign-ins and linking). `secondFactor` asks for
 * the second factor itself (turning 2FA off, new recovery codes): a password is not enough there,
 * since whoever stole it must not be able to remove the factor that stops them.
 */
export function requireRecentAuth(opts: { returnTo?: string | ((req: Request) => string); secondFactor?: boolean; when?: (req: Request) => boolean } = {}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (opts.when && !opts.when(req)) return next();
    if (isRecentlyAuthenticated(req, opts.secondFactor)) return next();
    // Without a second factor to ask for, any fresh proof does (the action then has nothing to act on).
    if (opts.secondFactor && isRecentlyAuthenticated(req) && req.user && !(await hasTwoFactorEnabled(req.user.id))) return next();
    const returnTo = typeof opts.returnTo === "function" ? opts.returnTo(req) : opts.returnTo ?? req.originalUrl;
    const query = new URLSearchParams({ returnTo });
    if (opts.secondFactor) query.set("factor", "second");
    if (req.method !== "GET") flash(req, "info", "Nothing was changed yet. Confirm it's you, then submit the form again.");
    res.redirect(303, `/settings/reauthenticate?${query.toString()}`);
  };
}
