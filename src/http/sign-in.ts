import type { Request } from "express";
import type { UserRow } from "../db/users";
import { deleteUserSession, insertUserSession } from "../db/user-sessions";
import { requestMeta } from "../services/request-meta";
import { recordSecurityEvent } from "../services/security-log";
import { noticeSignInFromNewDevice } from "../services/new-device-notice";
import { markSessionSeen } from "./touch-session";
import { REMEMBER_ME_MS } from "./session";

/**
 * Starts a signed-in session. Passport regenerates the session first, so the id an attacker may have
 * planted before sign-in is worthless (no session fixation). "Keep me signed in" gives a 30-day
 * cookie; otherwise the cookie ends with the browser and the session after 30 idle minutes.
 */
export async function startSession(req: Request, user: UserRow, remember: boolean, method = "password"): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
  if (remember) req.session.cookie.maxAge = REMEMBER_ME_MS;
  else req.session.cookie.expires = undefined;
  const meta = requestMeta(req);
  // Before this sign-in is recorded, so it does not count as having seen its own device.
  await noticeSignInFromNewDevice(req.app.locals.config, user, meta);
  await insertUserSession({ sid: req.sessionID, user_id: user.id, ip: meta.ip, user_agent: meta.userAgent, remember });
  markSessionSeen(req);
  await recordSecurityEvent(user.id, "sign_in", meta, { method });
}

/** Ends the current session (Passport regenerates it) and forgets our record of it. */
export async function endSession(req: Request): Promise<void> {
  const sid = req.sessionID;
  await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
  await deleteUserSession(sid);
}
