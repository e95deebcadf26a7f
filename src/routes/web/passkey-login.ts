import type { Request, Response } from "express";
import { z } from "zod";
import { safeNextPath } from "../../http/safe-redirect";
import { beginSignIn } from "../../http/sign-in";
import { SUSPENDED_MESSAGE } from "../../services/suspension";
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
 * checks it), through beginSignIn like every other first factor: a new session id, the security-log
 * entry with method "passkey", the new-device notice. A passkey whose authenticator verified the
 * user (PIN, biometrics) is two factors on its own; one without user verification proves
 * possession only, so with 2FA on it stops at /login/two-factor like a password. A refusal
 * re-renders the sign-in page with the reason; a suspended account is told so only after a
 * verified passkey, as after the right password.
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
  if (result.user.suspended_at) return res.status(403).render("auth/login", { title: "Sign in", values, errors: { _form: SUSPENDED_MESSAGE } });
  const first = { method: "passkey", remember: parsed.data.remember === "on", next: safeNextPath(parsed.data.next), multiFactor: !result.secondFactorRequired };
  res.redirect(await beginSignIn(req, result.user, first));
}
