import type { Request, Response } from "express";
import { z } from "zod";
import { safeNextPath } from "../../http/safe-redirect";
import { startSession } from "../../http/sign-in";
import { requestMeta } from "../../http/request-meta";
import { parseBody } from "../../http/validate";
import { keepChallenge, takeChallenge } from "../../http/webauthn-challenges";
import { webAuthnResponseField } from "../../services/passkeys";
import { beginPasskeySignIn, verifyPasskeySignIn } from "../../services/passkey-sign-in";

const PasskeyLoginForm = z.object({
  response: webAuthnResponseField,
  remember: z.literal("on").optional(),
  next: z.string().optional(),
});

/**
 * Refusal for a passkey that proved possession but not the person (no PIN or biometrics): it is a
 * first factor only, and a second step for it does not exist yet, so it does not sign in at all.
 */
export const PASSKEY_NEEDS_VERIFICATION =
  "This security key did not check who you are (no PIN, fingerprint or face), so it cannot sign you in on its own. Sign in with your password, or use a passkey that asks for your PIN or biometrics.";

/**
 * POST /login/passkey/options — the options for navigator.credentials.get(), as JSON, for the sign-in
 * page's script (the conditional autofill and the "Sign in with a passkey" button). The challenge is
 * kept in this browser's session, so answering needs the cookie this request set.
 */
export async function submitPasskeyLoginOptions(req: Request, res: Response) {
  const { options, issued } = await beginPasskeySignIn(req.app.locals.config);
  keepChallenge(req, "sign_in", issued);
  res.json({ options });
}

/**
 * POST /login/passkey — signs in with the passkey the browser chose (src/services/passkey-sign-in.ts
 * checks it). A verified user goes through startSession like every other sign-in: a new session id,
 * the security-log entry with method "passkey", the new-device notice. A refusal re-renders the
 * sign-in page with the reason.
 */
export async function submitPasskeyLogin(req: Request, res: Response) {
  // Out of the session before anything else: whatever this request's fate, the challenge is spent.
  const issued = takeChallenge(req, "sign_in");
  const parsed = parseBody(PasskeyLoginForm, req.body);
  const values = { login: "", next: safeNextPath(req.body?.next, ""), remember: req.body?.remember };
  const refuse = (message: string) => res.status(422).render("auth/login", { title: "Sign in", values, errors: { _form: message } });
  if (!parsed.ok) return refuse(parsed.errors.response ?? "That passkey was not accepted.");
  const result = await verifyPasskeySignIn(req.app.locals.config, { response: parsed.data.response, issued }, requestMeta(req));
  if (!result.ok) return refuse(result.message);
  if (result.secondFactorRequired) return refuse(PASSKEY_NEEDS_VERIFICATION);
  await startSession(req, result.user, parsed.data.remember === "on", "passkey");
  res.redirect(safeNextPath(parsed.data.next));
}
