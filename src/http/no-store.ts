import type { NextFunction, Request, Response } from "express";

/**
 * Signed-in pages carry account data and, once, secrets (a new token): no browser or proxy cache may
 * keep them, so the back button after sign-out or a shared computer shows nothing of the account.
 */
export function noStoreWhenSignedIn(req: Request, res: Response, next: NextFunction) {
  if (req.user) res.setHeader("Cache-Control", "no-store");
  next();
}
