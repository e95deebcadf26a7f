import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { parseBody } from "../../http/validate";
import { flash } from "../../http/flash";
import { requestMeta } from "../../http/request-meta";
import { listForResetReview, type RecoverySummary } from "../../services/account-recovery";
import { providerLabel } from "../../services/external-sign-in";
import { findUserForNotMeCode, secureAccount } from "../../services/not-me";
import type { UserRow } from "../../db/users";

const NotMeForm = z.object({
  password: z.string().min(1, "Enter your password.").max(128, "Passwords are at most 128 characters."),
  // A checkbox: present when ticked.
  disconnect_identities: z.literal("yes").optional(),
});

const TITLE = "Secure your account";

async function renderForm(res: Response, status: number, token: string, user: UserRow, errors: Record<string, string>, values: Record<string, unknown>) {
  res.status(status).render("auth/not-me", { title: TITLE, token, user, errors, values, ...(await listForResetReview(user.id)) });
}

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

/** GET /not-me/:token — what securing the account ends, and the password to confirm it; or "link expired". */
export async function showNotMe(req: Request, res: Response) {
  const token = String(req.params.token);
  const user = await findUserForNotMeCode(token);
  if (!user) return invalidLink(res);
  await renderForm(res, 200, token, user, {}, {});
}

/** POST /not-me/:token — with the right password, signs out every session and revokes every token, then asks to sign in. */
export function submitNotMe(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const token = String(req.params.token);
    const user = await findUserForNotMeCode(token);
    if (!user) return invalidLink(res);
    const values = { disconnect_identities: req.body?.disconnect_identities };
    const parsed = parseBody(NotMeForm, req.body);
    if (!parsed.ok) return renderForm(res, 422, token, user, parsed.errors, values);
    const result = await secureAccount(ctx, token, parsed.data.password, parsed.data.disconnect_identities === "yes", requestMeta(req));
    if (!result.ok) {
      if (result.reason === "wrong_password") return renderForm(res, 422, token, user, { password: "That is not this account's password." }, values);
      if (result.reason === "no_password") return renderForm(res, 422, token, user, {}, values);
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
