import type { NextFunction, Request, Response } from "express";
import { otherAccountsOf } from "./browser-accounts";

/** Whether a refused form's token was made for the session `sid` (undefined: signed out); from createCsrf. */
type TokenMadeFor = (req: Request, sid: string | undefined) => boolean;

/**
 * Right after the CSRF check: a form refused because it was opened as another account of this
 * browser (or while signed out) than the one now in use gets a 403 page saying so, with a way back to
 * that account, instead of the generic "this form expired". The refusal itself is the CSRF check's:
 * a token is bound to the session it was made in, so a form opened as alice and sent after switching
 * to bob is never applied to bob. This step only finds the words, by asking which of the browser's
 * own sessions the token was made for; any other refusal goes on to the error handler unchanged.
 */
export function explainFormOfOtherAccount(tokenMadeFor: TokenMadeFor) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if ((err as { code?: unknown } | undefined)?.code !== "EBADCSRFTOKEN") return next(err);
    const opener = otherAccountsOf(req).find((account) => tokenMadeFor(req, account.sid));
    const openedSignedOut = !opener && Boolean(req.user) && tokenMadeFor(req, undefined);
    if (!opener && !openedSignedOut) return next(err);
    res.status(403).render("errors/account-switched", { title: "This form belongs to another account", opener });
  };
}
