import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { requestMeta } from "../../http/request-meta";
import { completeSignIn, pendingSignInOf } from "../../http/sign-in";
import type { Valid } from "../../http/validate";
import { keepChallenge } from "../../http/webauthn-challenges";
import { ValidationError } from "../../lib/errors";
import { webAuthnResponseField } from "../../services/passkeys";
import { beginPasskeySignIn, verifyPasskeySignIn } from "../../services/passkey-sign-in";
import { recordSecurityEvent } from "../../services/security-log";
import { clearTwoFactorAttempts, reserveTwoFactorAttempt } from "../../services/two-factor-attempts";
import { heldSignIn, passkeyOfferedFor, startAgain } from "./two-factor-login";

/** POST /login/two-factor/passkey: the authenticator's answer, as the page's script posts it. */
export const SecondStepPasskeyForm = z.object({ response: webAuthnResponseField });

/** Why a passkey did not finish the sign-in, in words for the second step's page. */
const refusalMessage: Record<"expired" | "replayed" | "unknown_credential" | "invalid" | "counter", string> = {
  expired: "That took too long. Please try the passkey again.",
  replayed: "That passkey answer was already used. Please try the passkey again.",
  unknown_credential: "That passkey does not belong to this account. Use a passkey you added to it, or enter a code.",
  invalid: "That passkey was not accepted. Try it again, or enter a code.",
  counter: "That passkey was not accepted. Try it again, or enter a code.",
};

/**
 * POST /login/two-factor/passkey/options — the options for navigator.credentials.get() for the
 * sign-in held in this session, as JSON. They list the held user's passkeys only, and the challenge
 * is kept in this session under its own purpose, so a challenge from the sign-in page's passkey
 * button cannot answer here (nor this one there). Without a held sign-in: back to /login, as every
 * other second-step route does.
 */
export async function submitTwoFactorPasskeyOptions(req: Request, res: Response) {
  if (req.user) return res.redirect("/");
  const pending = pendingSignInOf(req);
  if (!pending) return startAgain(req, res);
  if (!(await passkeyOfferedFor(pending))) return res.status(409).json({ error: "No passkey can finish this sign-in. Enter a code instead." });
  const { options, issued } = await beginPasskeySignIn(req.app.locals.config, pending.userId);
  keepChallenge(req, "second_step", issued);
  res.json({ options });
}

/**
 * POST /login/two-factor/passkey — a passkey finishes the sign-in held in this session. Only the
 * held user's passkeys count (verifyPasskeySignIn with userId), the challenge is single use (out of
 * the session first, by the route's spendChallenge step, and marked used in the database), and
 * every well-formed answer spends the same per-account second-factor budget as a typed code:
 * someone holding the password cannot try keys, or replay answers, without limit by starting the
 * sign-in again (a malformed one, refused by the validate step, can prove nothing). A right passkey
 * gives the budget back and signs in through completeSignIn (a new session id; method e.g.
 * "password+passkey").
 */
export function submitTwoFactorPasskey(ctx: AppContext) {
  return async (req: Valid<typeof SecondStepPasskeyForm>, res: Response) => {
    if (req.user) return res.redirect("/");
    const held = await heldSignIn(req);
    if (!held) return startAgain(req, res);
    const { pending, user } = held;
    // Not offered (no passkeys, or a passkey was the first factor: see passkeyOfferedFor), so
    // refused before any check, without spending a guess.
    if (!(await passkeyOfferedFor(pending))) throw new ValidationError({ _form: "A passkey cannot finish this sign-in. Enter the code from your app or a recovery code." });
    await reserveTwoFactorAttempt(ctx, user.id);
    const result = await verifyPasskeySignIn(req.app.locals.config, { response: req.body.response, issued: req.webauthnChallenge, userId: user.id }, requestMeta(req));
    if (!result.ok) {
      await recordSecurityEvent(user.id, "two_factor.failed", requestMeta(req), { purpose: "sign_in", method: "passkey" });
      throw new ValidationError({ _form: refusalMessage[result.reason] });
    }
    await clearTwoFactorAttempts(ctx, user.id);
    await recordSecurityEvent(user.id, "two_factor.used", requestMeta(req), { method: "passkey", purpose: "sign_in", passkey_id: result.passkeyId });
    res.redirect(await completeSignIn(req, user, "passkey"));
  };
}
