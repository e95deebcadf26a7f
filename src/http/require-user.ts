import type { NextFunction, Request, Response } from "express";
import type { UserRow } from "../db/users";

declare global {
  namespace Express {
    // Passport's req.user is the user row loaded for the session.
    interface User extends UserRow {}
  }
}

/**
 * Signed-out visitors are sent to the login page, coming back here afterwards. A sign-in waiting
 * for its second factor is signed out too (it has no user), and is sent back to that step.
 */
export function requireUser(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  if (req.method !== "GET") return res.status(401).render("errors/401");
  if (req.session?.pendingSignIn) return res.redirect("/login/two-factor");
  res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
}

/**
 * Signed in and with a confirmed email. Until the address is proven the account can do nothing but
 * confirm, resend and sign out, so an unconfirmed account cannot be used to squat an address (or,
 * later, to attach identities or accept invitations).
 */
export function requireConfirmed(req: Request, res: Response, next: NextFunction) {
  if (!req.user) return requireUser(req, res, next);
  if (req.user.email_confirmed_at) return next();
  res.status(403).render("auth/confirm-pending", { title: "Confirm your email" });
}
