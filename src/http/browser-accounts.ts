import crypto from "node:crypto";
import type { CookieOptions, NextFunction, Request, Response } from "express";
import type session from "express-session";
import type { Config } from "../config";
import { endSessionById } from "../db/sessions";
import { listSignedInSessionsBySid, type HeldSessionRow } from "../db/browser-sessions";
import type { UserRow } from "../db/users";
import { ConflictError } from "../lib/errors";
import { sessionStoreOf } from "./session-store";

/**
 * Several accounts signed in at once in one browser, each in a session row of its own.
 *
 * The session in use stays in the ordinary session cookie, so everything that reads a session
 * (sign-in, CSRF, sudo, the 2FA step, every page) works on exactly one account and knows nothing of
 * the others. The other signed-in sessions of this browser are listed in a second cookie, most
 * recently used first: HttpOnly (a session id is a credential, and no script may read one),
 * SameSite=Lax and Secure behind https like the session cookie, `__Host-` prefixed there so a sibling
 * subdomain cannot plant a list, and signed with a key derived from SESSION_SECRET so the list
 * cannot be edited. It holds only ids; who they belong to is read from the `sessions` table on every
 * request that carries the cookie (one query, only for browsers holding several accounts), and ids
 * whose sessions ended (signed out, revoked, a password change, the account deleted or suspended) or
 * expired are dropped as they are read. So ending one account's session ends nothing else, and an
 * ended session never comes back from the list.
 *
 * Switching is a POST with the CSRF token of the account in use: the session in use goes to the
 * front of the list and the chosen one takes the session cookie. The list is only ever written
 * together with the session cookie, and keeps the session switched to, so that responses racing in
 * two tabs (each setting the cookies it knows) leave no signed-in account unlisted but the newest. Adding an account moves the
 * session in use into the list and leaves the browser signed out, so the ordinary sign-in (password,
 * providers, passkey, the 2FA step) runs unchanged in a fresh session. Nothing is ever copied from one
 * session into another, and each session keeps its own idle and absolute expiry.
 */

/** The most accounts one browser holds at once (the one in use and the others). */
export const MAX_ACCOUNTS = 5;

/** Session ids as session.ts generates them (256 bits, base64url). */
const SID = /^[A-Za-z0-9_-]{43}$/;

/** Another signed-in session of this browser. */
export interface HeldAccount {
  sid: string;
  publicId: string;
  remember: boolean;
  absoluteExpiresAt: Date;
  user: UserRow;
}

interface BrowserState {
  accounts: HeldAccount[];
  cookie: AccountsCookie;
}

const states = new WeakMap<Request, BrowserState>();

/** The signed cookie that lists the other sessions' ids. */
class AccountsCookie {
  readonly name: string;
  private readonly key: Buffer;
  private readonly options: CookieOptions;

  constructor(config: Config, sessionSecret: string) {
    this.name = config.secureCookies ? "__Host-gatehouse.accounts" : "gatehouse.accounts";
    // A key of its own, so a value signed for this cookie passes for nothing else and the reverse.
    this.key = crypto.createHmac("sha256", sessionSecret).update("gatehouse accounts").digest();
    this.options = { httpOnly: true, sameSite: "lax", secure: config.secureCookies, path: "/" };
  }

  /** The ids the request's cookie lists, or undefined when it has none; a cookie that fails its signature lists nothing. */
  read(req: Request): string[] | undefined {
    const raw = (req.cookies as Record<string, unknown> | undefined)?.[this.name];
    if (typeof raw !== "string") return undefined;
    const parts = raw.split(".");
    const mac = Buffer.from(parts.pop() ?? "", "base64url");
    const expected = this.mac(parts);
    if (mac.length !== expected.length || !crypto.timingSafeEqual(mac, expected)) return [];
    return parts.filter((sid) => SID.test(sid)).slice(0, MAX_ACCOUNTS);
  }

  /**
   * Sets the list on the response, or removes the cookie when it is empty. It lasts as long as the
   * longest remembered session in it; with none remembered it ends with the browser, like theirs.
   */
  write(res: Response, accounts: HeldAccount[]): void {
    if (accounts.length === 0) {
      res.clearCookie(this.name, this.options);
      return;
    }
    const sids = accounts.map((a) => a.sid);
    const remembered = accounts.filter((a) => a.remember).map((a) => a.absoluteExpiresAt.getTime());
    const expires = remembered.length ? new Date(Math.max(...remembered)) : undefined;
    res.cookie(this.name, [...sids, this.mac(sids).toString("base64url")].join("."), { ...this.options, expires });
  }

  private mac(sids: string[]): Buffer {
    return crypto.createHmac("sha256", this.key).update(sids.join(".")).digest();
  }
}

function toAccount(row: HeldSessionRow): HeldAccount {
  return { sid: row.sid, publicId: row.public_id, remember: row.remember, absoluteExpiresAt: row.absolute_expires_at, user: row.user };
}

/**
 * The middleware that reads this browser's other accounts (after the session and the CSRF cookie
 * parser). It gives pages `otherAccounts` for the user menu, drops ended sessions from the cookie,
 * and keeps pages that name other accounts out of every cache, as signed-in pages are.
 */
export function createBrowserAccounts(config: Config, sessionSecret: string) {
  const cookie = new AccountsCookie(config, sessionSecret);
  return async function readBrowserAccounts(req: Request, res: Response, next: NextFunction) {
    const sids = cookie.read(req);
    let accounts: HeldAccount[] = [];
    if (sids) {
      // The session in use is not one of the others (the cookie keeps it after a switch to it).
      const wanted = sids.filter((sid) => sid !== req.sessionID);
      const bySid = new Map((await listSignedInSessionsBySid(wanted)).map((row) => [row.sid, toAccount(row)]));
      accounts = wanted.flatMap((sid) => bySid.get(sid) ?? []);
      // Ended sessions are dropped from what this request sees, not from the cookie: the list is
      // written only with the session cookie (switching, adding, signing out), since a response
      // rewriting it alone, racing a switch in another tab, would leave the browser with that
      // switch's session cookie and a list missing the account it moved there. A list that is empty
      // (never written so) or fails its signature is removed.
      if (sids.length === 0) cookie.write(res, []);
      if (accounts.length) res.setHeader("Cache-Control", "no-store");
    }
    states.set(req, { accounts, cookie });
    res.locals.otherAccounts = accounts;
    next();
  };
}

function stateOf(req: Request): BrowserState {
  const state = states.get(req);
  if (!state) throw new Error("readBrowserAccounts has not run for this request");
  return state;
}

/** The other signed-in accounts of this browser, most recently used first. */
export function otherAccountsOf(req: Request): HeldAccount[] {
  return states.get(req)?.accounts ?? [];
}

/**
 * Writes the browser's list, and sets what this request sees of it: the list minus the session in
 * use, which the cookie may hold too (see switchToAccount).
 */
function setAccounts(req: Request, accounts: HeldAccount[]): void {
  const state = stateOf(req);
  state.accounts = accounts.filter((a) => a.sid !== req.sessionID);
  req.res!.locals.otherAccounts = state.accounts;
  state.cookie.write(req.res!, accounts);
}

/** The signed-in session in use as a list entry (its row was read with it at the start of the request). */
function currentAccount(req: Request): HeldAccount | undefined {
  const row = sessionStoreOf(req).sessionRow(req);
  if (!req.user || !row) return undefined;
  return { sid: row.sid, publicId: row.public_id, remember: row.remember, absoluteExpiresAt: row.absolute_expires_at, user: req.user };
}

/**
 * "Add another account": moves the signed-in session in use into the list, unchanged and still
 * signed in, and gives the request a fresh, empty session, so the sign-in that follows starts
 * signed out like any other (a new session id at every step, nothing carried over). Refused once
 * the browser holds MAX_ACCOUNTS.
 */
export function parkCurrentAccount(req: Request): void {
  const others = otherAccountsOf(req);
  if (others.length + 1 >= MAX_ACCOUNTS) {
    throw new ConflictError(`You are signed in to ${MAX_ACCOUNTS} accounts in this browser, the most it can hold at once. Sign out of one of them to add another.`, "too_many_accounts");
  }
  const current = currentAccount(req);
  if (!current) return;
  setAccounts(req, [current, ...others.filter((a) => a.sid !== current.sid)]);
  // Not regenerate(): that would end the row, which must stay signed in.
  sessionStoreOf(req).generate(req);
  req.user = undefined;
}

/**
 * Makes `target` the session in use for the rest of the request and the browser's session cookie
 * (express-session sets it, since the request's session id changed). A signed-in session in use goes
 * to the front of the list; a signed-out one (a sign-in abandoned at the 2FA step, a provider flow)
 * is ended, so a form of that half-finished sign-in cannot complete it later. False, with nothing
 * changed, when the target ended meanwhile (read again here, in the same query every request uses).
 */
export async function switchToAccount(req: Request, target: HeldAccount): Promise<boolean> {
  const store = sessionStoreOf(req);
  const sess = await new Promise<session.SessionData | null | undefined>((resolve, reject) => store.get(target.sid, (err, s) => (err ? reject(err) : resolve(s))));
  if (sess?.passport?.user !== target.user.id) return false;
  const current = currentAccount(req);
  if (!req.user && store.sessionRow(req)) await endSessionById(req.sessionID);
  req.sessionID = target.sid;
  store.createSession(req, sess);
  req.user = store.signedInUser(req);
  // The target stays in the cookie (hidden while in use): a response that sets only the session
  // cookie, racing this one (a sign-in finishing in another tab), must find it still listed.
  const rest = otherAccountsOf(req).filter((a) => a.sid !== current?.sid);
  setAccounts(req, current ? [current, ...rest] : rest);
  return true;
}

/** The other session of this browser signed in as this user, if any. */
export function heldAccountOfUser(req: Request, userId: number): HeldAccount | undefined {
  return otherAccountsOf(req).find((a) => a.user.id === userId);
}

/** Ends every other session this browser holds ("Sign out of all accounts") and empties the list. */
export async function endOtherAccounts(req: Request): Promise<void> {
  const others = otherAccountsOf(req);
  setAccounts(req, []);
  // Holding the id is what entitles the browser to end the session, as for the session in use.
  await Promise.all(others.map((a) => endSessionById(a.sid)));
}
