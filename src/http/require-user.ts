import type { NextFunction, Request, Response } from "express";
import type { UserRow } from "../db/users";
import { hasTwoFactorEnabled } from "../db/totp-credentials";
import type { InstanceSettings } from "../services/instance-settings";
import { renderConfirmPending } from "./confirm-pending";

declare global {
  namespace Express {
    // Passport's req.user is the user row loaded for the session, with the provider picture its
    // avatar shows (read in the same query, src/db/sessions.ts; absent on the sign-in request itself).
    interface User extends UserRow {
      provider_avatar_url?: string | null;
    }
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
 * confirm, resend, correct the address and sign out, so an unconfirmed account cannot be used to squat an address (or,
 * later, to attach identities or accept invitations).
 */
export function requireConfirmed(req: Request, res: Response, next: NextFunction) {
  if (!req.user) return requireUser(req, res, next);
  if (!req.user.email_confirmed_at) return void renderConfirmPending(req, res, 403).catch(next);
  if (!(req.app.locals.instanceSettings as InstanceSettings).current().requireTwoFactor || OPEN_WITHOUT_TWO_FACTOR.test(req.path)) return next();
  requireInstanceTwoFactor(req, res, next).catch(next);
}

/** What an account without two-factor authentication still reaches when the instance requires it: setting it up. */
const OPEN_WITHOUT_TWO_FACTOR = /^\/settings\/(security|reauthenticate)(\/|$)/;

/**
 * When the instance requires two-factor authentication for everyone (/admin/settings or
 * REQUIRE_TWO_FACTOR), an account without it reaches nothing but its security settings until it
 * turns it on: a password alone no longer opens the account's pages, tokens page, CLI consent or
 * organizations. The extra statement runs only on instances that require it.
 */
async function requireInstanceTwoFactor(req: Request, res: Response, next: NextFunction) {
  if (await hasTwoFactorEnabled(req.user!.id)) return next();
  if (req.method === "GET") return res.redirect("/settings/security");
  res.status(403).render("errors/two-factor-required", { title: "Two-factor authentication required" });
}
