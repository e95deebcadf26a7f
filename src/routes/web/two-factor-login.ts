import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { listPasskeysForUser } from "../../db/passkeys";
import { findUserById, type UserRow } from "../../db/users";
import { flash } from "../../http/flash";
import { requestMeta } from "../../http/request-meta";
import { completeSignIn, pendingSignInOf } from "../../http/sign-in";
import type { Valid } from "../../http/validate";
import { ValidationError } from "../../lib/errors";
import { verifySecondFactor } from "../../services/two-factor";

/** POST /login/two-factor: a code from the app or a recovery code. */
export const CodeForm = z.object({
  code: z.string().trim().min(1, "Enter the code from your app or a recovery code.").max(64, "That is too long to be a code."),
});

const TITLE = "Two-factor authentication";

type PendingSignIn = NonNullable<ReturnType<typeof pendingSignInOf>>;

/**
 * Whether "Use a passkey" is offered: only when the held user has a passkey, and not after a
 * passkey was the first factor (a possession-only passkey used twice would be one factor twice).
 */
export async function passkeyOfferedFor(pending: PendingSignIn): Promise<boolean> {
  if (pending.method === "passkey") return false;
  return (await listPasskeysForUser(pending.userId)).length > 0;
}

/**
 * The sign-in held in this session and its account, for the second step's answers; undefined when
 * none is held, or when its account is gone (the hold is dropped then).
 */
export async function heldSignIn(req: Request): Promise<{ pending: PendingSignIn; user: UserRow } | undefined> {
  const pending = pendingSignInOf(req);
  if (!pending) return undefined;
  const user = await findUserById(pending.userId);
  if (!user) {
    delete req.session.pendingSignIn;
    return undefined;
  }
  return { pending, user };
}

/** Sends the browser back to the sign-in page: no sign-in is held in this session (any more). */
export function startAgain(req: Request, res: Response) {
  flash(req, "info", "Your sign-in took too long or was not started in this browser. Please sign in again.");
  res.redirect("/login");
}

/**
 * GET /login/two-factor — the second step of a sign-in held after its first factor (with the passkey
 * button when passkeyOfferedFor says so), and the step again when a code or a passkey was refused.
 */
export async function showTwoFactorLogin(req: Request, res: Response) {
  if (req.user) return res.redirect("/");
  const pending = pendingSignInOf(req);
  if (!pending) return startAgain(req, res);
  // The page belongs to one sign-in in one browser: never cached.
  res.setHeader("Cache-Control", "no-store");
  res.render("auth/two-factor", { title: TITLE, passkeyOffered: await passkeyOfferedFor(pending) });
}

/**
 * POST /login/two-factor — a TOTP code or a recovery code finishes the sign-in held in this
 * session (at most PENDING_SIGN_IN_MS old). Every guess spends the account's second-factor budget,
 * however many times the first factor is passed again; the session id changes once more on success.
 */
export function submitTwoFactorLogin(ctx: AppContext) {
  return async (req: Valid<typeof CodeForm>, res: Response) => {
    if (req.user) return res.redirect("/");
    const held = await heldSignIn(req);
    if (!held) return startAgain(req, res);
    const { user } = held;
    const method = await verifySecondFactor(ctx, user, req.body.code, "sign_in", requestMeta(req));
    if (!method) throw new ValidationError({ code: "That code is not right, or it was already used. Enter the current code from your app, or an unused recovery code." });
    const next = await completeSignIn(req, user, method);
    if (method === "recovery_code") flash(req, "warning", "You signed in with a recovery code; it cannot be used again. Check how many you have left in your security settings.");
    res.redirect(next);
  };
}

/** POST /login/two-factor/cancel — drops the sign-in waiting for its second factor. */
export function submitCancelTwoFactorLogin(req: Request, res: Response) {
  delete req.session.pendingSignIn;
  res.redirect("/login");
}
