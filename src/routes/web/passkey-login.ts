import type { Request, Response } from "express";
import { z } from "zod";
import { safeNextPath } from "../../http/safe-redirect";
import { beginSignIn } from "../../http/sign-in";
import { SUSPENDED_MESSAGE } from "../../services/suspension";
import { requestMeta } from "../../http/request-meta";
import type { Valid } from "../../http/validate";
import type { AppContext } from "../../context";
import { keepSignInChallenge } from "../../http/sign-in-challenge";
import { ValidationError } from "../../lib/errors";
import { webAuthnResponseField } from "../../services/passkeys";
import { beginPasskeySignIn, verifyPasskeySignIn } from "../../services/passkey-sign-in";

/** POST /login/passkey: the authenticator's answer (posted by the page's script) and the sign-in form's options. */
export const PasskeyLoginForm = z.object({
  response: webAuthnResponseField,
  remember: z.literal("on").optional(),
  next: z.string().optional(),
});

/**
 * POST /login/passkey/options — the options for navigator.credentials.get(), as JSON, for the sign-in
 * page's script (the conditional autofill and the "Sign in with a passkey" button). The challenge is
 * kept in a sealed cookie of its own, never in the session (src/http/sign-in-challenge.ts says why).
 */
export function submitPasskeyLoginOptions(ctx: AppContext) {
  return async (_req: Request, res: Response) => {
    const { options, issued } = await beginPasskeySignIn(ctx.config);
    keepSignInChallenge(ctx, res, issued);
    res.json({ options });
  };
}

/**
 * POST /login/passkey — signs in with the passkey the browser chose (src/services/passkey-sign-in.ts
 * checks it), through beginSignIn like every other first factor: a new session id, the security-log
 * entry with method "passkey", the new-device notice. A passkey whose authenticator verified the
 * user (PIN, biometrics) is two factors on its own; one without user verification proves
 * possession only, so with 2FA on it stops at /login/two-factor like a password. The challenge
 * was taken out of its cookie by the route's spendSignInChallenge step. A refusal re-renders the
 * sign-in page with the reason; a suspended account is told so only after a verified passkey, as
 * after the right password.
 */
export async function submitPasskeyLogin(req: Valid<typeof PasskeyLoginForm>, res: Response) {
  const result = await verifyPasskeySignIn(req.app.locals.config, { response: req.body.response, issued: req.webauthnChallenge }, requestMeta(req));
  if (!result.ok) throw new ValidationError({ _form: result.message });
  if (result.user.suspended_at) {
    const values = { login: "", next: safeNextPath(req.body.next, ""), remember: req.body.remember };
    return res.status(403).render("auth/login", { title: "Sign in", values, errors: { _form: SUSPENDED_MESSAGE } });
  }
  const first = { method: "passkey", remember: req.body.remember === "on", next: safeNextPath(req.body.next), multiFactor: !result.secondFactorRequired };
  res.redirect(await beginSignIn(req, result.user, first));
}
