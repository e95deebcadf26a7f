import type { Request } from "express";
import type {} from "./session-keys";
import type { UserRow } from "../db/users";
import type { InstanceSettings } from "../services/instance-settings";
import { recordSignIn } from "../services/sign-in";
import { requestMeta } from "./request-meta";
import { HttpError } from "../lib/errors";
import { sessionStoreOf } from "./session-store";
import { hasTwoFactorEnabled } from "../db/totp-credentials";
import { markReauthenticated } from "./recent-auth";
import { heldAccountOfUser, switchToAccount } from "./browser-accounts";
import { flash } from "./flash";

/** How long a sign-in may wait at the second step before it has to start again. */
export const PENDING_SIGN_IN_MS = 5 * 60_000;

/** How a first factor was proven, for beginSignIn. */
export interface FirstFactor {
  remember: boolean;
  /** "password", a provider's name, or (later) "passkey". */
  method: string;
  /** Where to go once signed in: a path on this site (safeNextPath). */
  next: string;
  /**
   * True when the first factor already proved two factors on its own: a passkey whose
   * authenticator verified the user (PIN or biometrics). A passkey without user verification, a
   * password and a provider sign-in are one factor and stop at the second step.
   */
  multiFactor?: boolean;
  /** Set when the first factor was an organization's identity provider: the session is marked as having come through it. */
  ssoOrganizationId?: number;
}

/**
 * The one way every sign-in starts after its first factor: a user with two-factor authentication on
 * is held at /login/two-factor (in a session with a new id, so an id planted before sign-in holds
 * nothing), everyone else is signed in. Returns the path to send the browser to.
 */
export async function beginSignIn(req: Request, user: UserRow, first: FirstFactor): Promise<string> {
  // "Add another account" with an account this browser is signed in to already: use that session.
  // A second one would be a duplicate in the list, and holding for the second factor would guard
  // nothing, since the browser can switch to the signed-in session anyway.
  const held = heldAccountOfUser(req, user.id);
  if (held && (await switchToAccount(req, held))) {
    flash(req, "info", `You were already signed in as ${user.username} in this browser; you are now using that account.`);
    return first.next;
  }
  const next = firstRunPath(user, first.next);
  if (first.multiFactor || !(await hasTwoFactorEnabled(user.id))) {
    await startSession(req, user, first.remember, first.method, false, first.ssoOrganizationId);
    return next;
  }
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  req.session.pendingSignIn = { userId: user.id, remember: first.remember, method: first.method, next, startedAt: Date.now(), ssoOrganizationId: first.ssoOrganizationId };
  return "/login/two-factor";
}

/**
 * Where a signed-in account goes: `next`, unless its address is confirmed and it has not been
 * through the "about you" step yet (a new sign-up's first sign-in), which then comes first and
 * passes `next` on. (An unconfirmed account sees "confirm your email" wherever it goes.)
 */
export function firstRunPath(user: UserRow, next: string): string {
  if (user.welcomed_at || !user.email_confirmed_at) return next;
  return next === "/" ? "/welcome" : `/welcome?next=${encodeURIComponent(next)}`;
}

/** The sign-in waiting for its second factor, unless it is older than PENDING_SIGN_IN_MS (then it is dropped). */
export function pendingSignInOf(req: Request): NonNullable<Request["session"]["pendingSignIn"]> | undefined {
  const pending = req.session?.pendingSignIn;
  if (!pending) return undefined;
  if (Date.now() - pending.startedAt > PENDING_SIGN_IN_MS) {
    delete req.session.pendingSignIn;
    return undefined;
  }
  return pending;
}

/**
 * Finishes a sign-in held at the second step: signs in (Passport regenerates the session again, so
 * the id changes once more) and records both factors as the method.
 */
export async function completeSignIn(req: Request, user: UserRow, secondFactor: string): Promise<string> {
  const pending = req.session.pendingSignIn!;
  delete req.session.pendingSignIn;
  await startSession(req, user, pending.remember, `${pending.method}+${secondFactor}`, true, pending.ssoOrganizationId);
  return pending.next;
}

/**
 * Starts a signed-in session (through beginSignIn or completeSignIn only). Passport regenerates the session first, so the id an attacker may have
 * planted before sign-in is worthless (no session fixation). "Keep me signed in" gives a cookie for
 * the instance's remembered lifetime (30 days by default); otherwise the cookie ends with the
 * browser. The row's user and lifetimes (the instance settings', read from memory) are written by
 * recordSignIn, never by the session store, so only this path signs a session in.
 */
async function startSession(req: Request, user: UserRow, remember: boolean, method: string, secondFactor = false, ssoOrganizationId?: number): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
  const lifetimes = (req.app.locals.instanceSettings as InstanceSettings).sessionLifetimes();
  if (remember) req.session.cookie.maxAge = lifetimes.rememberedSeconds * 1000;
  else req.session.cookie.expires = undefined;
  // A sign-in is a fresh proof of identity: sensitive actions need no second one for a while.
  markReauthenticated(req, secondFactor);
  // Stored with the session's first write, so the organization's SSO requirement sees it at once.
  if (ssoOrganizationId !== undefined) req.session.ssoSignIns = { [ssoOrganizationId]: Date.now() };
  const store = sessionStoreOf(req);
  const session = { sid: req.sessionID, remember, data: store.dataOf(req), lifetimes };
  if (!(await recordSignIn(req.app.locals.mail, user, session, method, requestMeta(req)))) {
    throw new HttpError(409, "This sign-in was interrupted. Please sign in again.");
  }
  store.markStored(req);
}

/** Ends the current session: Passport regenerates it, and the store marks the old row ended. */
export async function endSession(req: Request): Promise<void> {
  await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
}

/**
 * Gives the signed-in session a new id while keeping the user signed in and the session's data
 * (flash messages, the "Keep me signed in" cookie). Done after a credential change so that a copy
 * of the old cookie, wherever it leaked, no longer works.
 */
export async function renewSessionId(req: Request): Promise<void> {
  await sessionStoreOf(req).renameSessionId(req);
}
