import type { NextFunction, Request, Response } from "express";
import type { IssuedChallenge } from "../services/passkeys";

/**
 * What a session's WebAuthn challenge is for: adding a passkey, or a passkey as a sign-in's second
 * step. Signing in with a passkey keeps its challenge in a cookie of its own instead
 * (src/http/sign-in-challenge.ts), because that request comes from a signed-out page.
 */
export type ChallengePurpose = "register" | "second_step";

declare module "express-session" {
  interface SessionData {
    /**
     * The WebAuthn challenges this browser was given and has not answered yet, one per purpose. A
     * new request for options replaces the old one; answering takes it out (single use); each is
     * refused after 5 minutes. The database marks every answered challenge used as well, which is
     * what stops two requests carrying the same answer at the same moment.
     */
    webauthn?: Partial<Record<ChallengePurpose, IssuedChallenge>>;
  }
}

declare global {
  namespace Express {
    interface Request {
      /** Set by spendChallenge: the challenge this request's passkey answer must match, if the session had one. */
      webauthnChallenge?: IssuedChallenge;
    }
  }
}

/** Keeps a challenge for this session until its answer comes back. */
export function keepChallenge(req: Request, purpose: ChallengePurpose, issued: IssuedChallenge): void {
  req.session.webauthn = { ...req.session.webauthn, [purpose]: issued };
}

/** Takes the session's challenge for `purpose` out of the session (it answers one response only). */
export function takeChallenge(req: Request, purpose: ChallengePurpose): IssuedChallenge | undefined {
  const kept = req.session.webauthn?.[purpose];
  if (!kept) return undefined;
  const rest = { ...req.session.webauthn };
  delete rest[purpose];
  req.session.webauthn = Object.keys(rest).length > 0 ? rest : undefined;
  return kept;
}

/**
 * The route step before a passkey answer is validated: takes the session's challenge for `purpose`
 * out first, so that whatever the request's fate (a malformed body included) the challenge is
 * spent and cannot answer a second response. The handler finds it in `req.webauthnChallenge`.
 */
export function spendChallenge(purpose: ChallengePurpose) {
  return (req: Request, _res: Response, next: NextFunction) => {
    req.webauthnChallenge = takeChallenge(req, purpose);
    next();
  };
}
