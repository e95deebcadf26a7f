import { csrfSync } from "csrf-sync";
import type { NextFunction, Request, Response } from "express";

/**
 * CSRF protection: the synchronizer-token pattern with the token kept in the server-side session
 * (csrf-sync; the archived csurf did the same). Every POST form carries `_csrf`; a request without
 * the session's token gets the 403 page. The JSON API is not behind this: it never accepts the
 * session cookie, only bearer tokens, so a forged cross-site request carries no credentials.
 */
const { generateToken, csrfSynchronisedProtection } = csrfSync({
  getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
  errorConfig: { statusCode: 403, message: "The form expired or was not sent from this site.", code: "EBADCSRFTOKEN" },
});

/** Rejects state-changing requests without the session's CSRF token. */
export const verifyCsrf = csrfSynchronisedProtection;

/**
 * Offers `csrfToken()` to views. It is a function so that a token (and so a session) is only created
 * for pages that actually render a form.
 */
export function exposeCsrfToken(req: Request, res: Response, next: NextFunction) {
  res.locals.csrfToken = () => generateToken(req);
  next();
}
