import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { formValues, type Valid } from "../../http/validate";
import { ValidationError } from "../../lib/errors";
import { flash } from "../../http/flash";
import { requestMeta } from "../../http/request-meta";
import { listForResetReview, type RecoverySummary } from "../../services/account-recovery";
import { providerLabel } from "../../services/external-sign-in";
import { findUserForNotMeCode, secureAccount } from "../../services/not-me";

/** POST /not-me/:token: the account's password, and whether to disconnect the identities too. */
export const NotMeForm = z.object({
  password: z.string().min(1, "Enter your password.").max(128, "Passwords are at most 128 characters."),
  // A checkbox: present when ticked.
  disconnect_identities: z.literal("yes").optional(),
});

const TITLE = "Secure your account";

function invalidLink(res: Response) {
  res.status(410).render("auth/link-invalid", { title: "Link expired", what: "not-me" });
}

/** The result message lines: what was ended, and what stays. */
function resultMessages(sessionsEnded: number, recovery: RecoverySummary): string[] {
  const sessions = sessionsEnded === 0 ? "no session was signed in" : sessionsEnded === 1 ? "1 session was signed out" : `${sessionsEnded} sessions were signed out`;
  const lines = [`Your account is secured: ${sessions}, CLI sign-ins in progress stopped and pending email changes were cancelled.`];
  if (recovery.tokensRevoked.length) lines.push(`Revoked ${recovery.tokensRevoked.length} personal access token${recovery.tokensRevoked.length === 1 ? "" : "s"}: ${recovery.tokensRevoked.map((t) => `"${t.description}"`).join(", ")}.`);
  for (const i of recovery.identitiesRemoved) lines.push(`Disconnected ${providerLabel(i.provider)} account ${i.provider_username}.`);
  for (const i of recovery.identitiesKept) lines.push(`${providerLabel(i.provider)} account ${i.provider_username} stays connected.`);
  return lines;
}

/** GET /not-me/:token — what securing the account ends, and the password to confirm it (again on a 422); or "link expired". */
export async function showNotMe(req: Request, res: Response) {
  const token = String(req.params.token);
  const user = await findUserForNotMeCode(token);
  if (!user) return invalidLink(res);
  res.render("auth/not-me", { title: TITLE, token, user, values: formValues(res, {}), ...(await listForResetReview(user.id)) });
}

/** POST /not-me/:token — with the right password, signs out every session and revokes every token, then asks to sign in. */
export function submitNotMe(ctx: AppContext) {
  return async (req: Valid<typeof NotMeForm>, res: Response) => {
    const token = String(req.params.token);
    const result = await secureAccount(ctx, token, req.body.password, req.body.disconnect_identities === "yes", requestMeta(req));
    if (!result.ok) {
      if (result.reason === "wrong_password") throw new ValidationError({ password: "That is not this account's password." });
      // An account without a password is shown the page again, which says how to secure it instead.
      if (result.reason === "no_password") throw new ValidationError({});
      return invalidLink(res);
    }
    // Every session ended, this browser's included: start afresh and sign in again.
    req.session.regenerate(() => {
      for (const line of resultMessages(result.sessionsEnded, result.recovery)) flash(req, "success", line);
      flash(req, "info", "Sign in again. If someone else may know your password, change it in your settings.");
      res.redirect("/login");
    });
  };
}
