import type { Request } from "express";
import { findUserSession, moveUserSession } from "../db/user-sessions";
import { markSessionSeen } from "./touch-session";

/**
 * Gives the signed-in session a new id while keeping the user signed in and the session's data
 * (flash messages, the "Keep me signed in" cookie). Done after a credential change so that a copy
 * of the old cookie, wherever it leaked, no longer works. Our user_sessions record follows the new id.
 */
export async function renewSessionId(req: Request): Promise<void> {
  const previous = await findUserSession(req.sessionID);
  const user = req.user!;
  // Passport's login regenerates the session; keepSessionInfo copies the old session's data over.
  await new Promise<void>((resolve, reject) => req.login(user, { session: true, keepSessionInfo: true }, (err) => (err ? reject(err) : resolve())));
  if (previous) await moveUserSession(previous, req.sessionID);
  markSessionSeen(req);
}
