import type { Request } from "express";
import type { UserRow } from "../db/users";
import type { InstanceSettings } from "../services/instance-settings";
import { recordSignIn } from "../services/sign-in";
import { requestMeta } from "./request-meta";
import { HttpError } from "../lib/errors";
import { sessionStoreOf } from "./session-store";

/**
 * Starts a signed-in session. Passport regenerates the session first, so the id an attacker may have
 * planted before sign-in is worthless (no session fixation). "Keep me signed in" gives a cookie for
 * the instance's remembered lifetime (30 days by default); otherwise the cookie ends with the
 * browser. The row's user and lifetimes (the instance settings', read from memory) are written by
 * recordSignIn, never by the session store, so only this path signs a session in.
 */
export async function startSession(req: Request, user: UserRow, remember: boolean, method = "password"): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
  const lifetimes = (req.app.locals.instanceSettings as InstanceSettings).sessionLifetimes();
  if (remember) req.session.cookie.maxAge = lifetimes.rememberedSeconds * 1000;
  else req.session.cookie.expires = undefined;
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
