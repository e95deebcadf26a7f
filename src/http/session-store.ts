import session from "express-session";
import type { Request } from "express";
import {
  endSessionById, findLiveSessionWithUser, insertSignedOutSession, renameSession, SESSION_TOUCH_INTERVAL_MS, touchSession,
  updateSessionData, type SessionRow,
} from "../db/sessions";
import type { UserRow } from "../db/users";
import type { InstanceSettings } from "../services/instance-settings";

/**
 * What this request knows about its session row: which id it was read or written under, the data
 * as last read or written (to skip writes that change nothing), and the row itself when it was read.
 */
interface RowState {
  sid: string;
  json: string;
  stored: boolean;
  row?: SessionRow;
  user?: UserRow;
}

type SessionData = session.SessionData & Record<string, unknown>;
type Callback = (err?: unknown) => void;

/** Keys of the session object that are not session data: express-session's cookie, Passport's user. */
const DERIVED_KEYS = new Set(["cookie", "passport"]);

/** The data a session holds, as stored: everything but the cookie and the signed-in user. */
function dataOf(sess: object): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(sess)) if (!DERIVED_KEYS.has(key)) data[key] = value;
  return data;
}

/**
 * express-session's store on the `sessions` table (src/db/sessions.ts), replacing connect-pg-simple:
 *  - get reads the session and its user in one query. Whether the request is signed in comes from
 *    the row's user_id, never from the stored data, so nothing a request writes back signs anybody in;
 *  - set never upserts: a session read from the table is updated only while it is live, and only an
 *    id generated in this request is inserted. A request still running when its session was ended
 *    (sign-out, revocation, a password change) therefore cannot bring the session back;
 *  - markSeen writes at most once per SESSION_TOUCH_INTERVAL_MS per session, not on every request.
 *    The store has no `touch`: express-session would then send every unchanged response in two
 *    writes (all but its last byte, then the rest after touch), doubling the socket writes;
 *    src/http/session.ts calls markSeen before the response instead;
 *  - destroy marks the row ended instead of deleting it, so late writes find the marker.
 * Writes that would store what the row already holds are skipped, so Passport's and express-session's
 * saves of the same data cost one statement at most.
 */
export class PgSessionStore extends session.Store {
  private readonly states = new WeakMap<Request, RowState>();
  /** Added to the store by express-session: a new id and empty session on the request. */
  declare generate: (req: Request) => void;

  constructor(private readonly cookieOptions: session.CookieOptions) {
    super();
  }

  /** The user the request's session is signed in as, read with the session (Passport's deserializer). */
  signedInUser(req: Request): UserRow | undefined {
    const state = this.states.get(req);
    return state?.sid === req.sessionID ? state.user : undefined;
  }

  /** The session row read for this request, if it was read. */
  sessionRow(req: Request): SessionRow | undefined {
    const state = this.states.get(req);
    return state?.sid === req.sessionID ? state.row : undefined;
  }

  /** The data the request's session holds, as the table stores it. */
  dataOf(req: Request): Record<string, unknown> {
    return dataOf(req.session);
  }

  /** Notes that sign-in stored this request's session row with its current data (see signInSession). */
  markStored(req: Request): void {
    this.states.set(req, { sid: req.sessionID, json: JSON.stringify(dataOf(req.session)), stored: true });
  }

  /** True when the request's session holds something the table does not have yet. */
  needsWrite(req: Request): boolean {
    if (!req.session) return false;
    const json = JSON.stringify(dataOf(req.session));
    const state = this.states.get(req);
    if (state?.sid === req.sessionID) return state.json !== json;
    return json !== "{}";
  }

  override get(sid: string, cb: (err: unknown, sess?: session.SessionData | null) => void): void {
    findLiveSessionWithUser(sid).then((found) => {
      if (!found) return cb(null, null);
      const { session: row, user } = found;
      const sess: SessionData = { ...(row.data as SessionData), cookie: this.cookieFor(row) };
      if (user) sess.passport = { user: user.id };
      // Handed to createSession below, which has the request; never stored.
      pending.set(sess, { sid, json: JSON.stringify(dataOf(row.data)), stored: true, row, user });
      cb(null, sess);
    }, cb);
  }

  override createSession(req: Request, sess: session.SessionData): session.Session & session.SessionData {
    const state = pending.get(sess);
    if (state) {
      pending.delete(sess);
      this.states.set(req, state);
    }
    return super.createSession(req, sess);
  }

  override set(sid: string, sess: session.SessionData, cb: Callback = () => {}): void {
    const req = (sess as { req?: Request }).req;
    const data = dataOf(sess);
    const json = JSON.stringify(data);
    const state = req && this.states.get(req);
    const known = state?.sid === sid ? state : undefined;
    if (known ? known.json === json : json === "{}") return cb();
    const write = known?.stored ? updateSessionData(sid, data) : insertSignedOutSession(sid, data);
    write.then(() => {
      if (req) this.states.set(req, { ...known, sid, json, stored: true });
      cb();
    }, cb);
  }

  /**
   * Marks the request's session as seen, pushing its idle expiry, when the row read for this request
   * was last marked more than SESSION_TOUCH_INTERVAL_MS ago; otherwise writes nothing.
   */
  async markSeen(req: Request): Promise<void> {
    const row = this.sessionRow(req);
    if (!row || Date.now() - row.last_seen_at.getTime() < SESSION_TOUCH_INTERVAL_MS) return;
    // The idle lifetime of the instance settings, read from memory (src/services/instance-settings.ts).
    await touchSession(row.sid, (req.app.locals.instanceSettings as InstanceSettings).sessionLifetimes().idleSeconds);
  }

  override destroy(sid: string, cb: Callback = () => {}): void {
    endSessionById(sid).then(() => cb(), cb);
  }

  /** A new id and empty session (sign-in, sign-out); the old row is ended, when there is one. */
  override regenerate(req: Request, cb: Callback): void {
    const state = this.states.get(req);
    if (state?.sid === req.sessionID && state.stored) return super.regenerate(req, cb);
    // Nothing was ever stored under this id (a signed-out form post): there is no row to end.
    this.generate(req);
    cb();
  }

  /**
   * Gives the request's session a new id in place (after a credential change): the row keeps its
   * user, public id and lifetimes, and the old id no longer exists. False when the session ended
   * meanwhile; then the request is left with a fresh signed-out session.
   */
  renameSessionId(req: Request): Promise<boolean> {
    const oldSid = req.sessionID;
    const state = this.states.get(req);
    return new Promise((resolve, reject) => {
      // Store.regenerate would destroy the old row; generate only makes the new id and object.
      const data = dataOf(req.session);
      const passport = (req.session as unknown as SessionData).passport;
      const cookie = req.session.cookie;
      this.generate(req);
      Object.assign(req.session, data, { passport });
      req.session.cookie = cookie;
      renameSession(oldSid, req.sessionID).then((renamed) => {
        if (renamed && state) this.states.set(req, { ...state, sid: req.sessionID });
        resolve(renamed);
      }, reject);
    });
  }

  /** The cookie as the row says: remembered sessions end at their absolute expiry, others with the browser. */
  private cookieFor(row: SessionRow): session.Cookie {
    const expires = row.remember ? row.absolute_expires_at : undefined;
    return { ...this.cookieOptions, expires, originalMaxAge: expires ? expires.getTime() - Date.now() : null } as session.Cookie;
  }
}

/** The store of the request's session (express-session exposes it on the request). */
export function sessionStoreOf(req: Request): PgSessionStore {
  return req.sessionStore as unknown as PgSessionStore;
}

/** Rows read by get() on their way to createSession(), which is called right after with the request. */
const pending = new WeakMap<object, RowState>();
