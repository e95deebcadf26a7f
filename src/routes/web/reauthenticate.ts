import type { Request, Response } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import { findEnabledProvider } from "../../auth/providers";
import { listIdentitiesForUser } from "../../db/identities";
import { listSsoOrganizationsForUser } from "../../db/organization-sso";
import { ssoProviderKey } from "../../services/sso/sign-in";
import { hasTwoFactorEnabled } from "../../db/totp-credentials";
import { markReauthenticated } from "../../http/recent-auth";
import { requestMeta } from "../../http/request-meta";
import { safeNextPath } from "../../http/safe-redirect";
import { formValues, type Valid } from "../../http/validate";
import { ValidationError } from "../../lib/errors";
import { checkCurrentPassword } from "../../services/reauthenticate";
import { recordSecurityEvent } from "../../services/security-log";
import { verifySecondFactor } from "../../services/two-factor";

/**
 * POST /settings/reauthenticate: the password or a code, and where the form came from (`returnTo`,
 * `factor`), read leniently by `target`: a bad one means the default, not a refusal.
 */
export const ReauthForm = z.discriminatedUnion("method", [
  z.object({ method: z.literal("password"), password: z.string().min(1, "Enter your password.").max(1024, "That password is too long.") }),
  z.object({ method: z.literal("code"), code: z.string().trim().min(1, "Enter the code from your app.").max(64, "That is too long to be a code.") }),
], { error: "Choose how to confirm it's you." }).and(z.object({ returnTo: z.unknown().optional(), factor: z.unknown().optional() }));

/** Where to go afterwards (a path on this site) and whether the action needs the second factor. */
function target(source: Record<string, unknown>) {
  return { returnTo: safeNextPath(source.returnTo, "/settings/security"), second: source.factor === "second" };
}

/**
 * The ways this account can prove itself now: the password, a code (with 2FA on), and for an
 * account without a password a fresh sign-in through one of its linked providers. An action that
 * needs the second factor offers only the code.
 */
async function waysFor(ctx: AppContext, req: Request, second: boolean) {
  const user = req.user!;
  const twoFactor = await hasTwoFactorEnabled(user.id);
  const onlySecond = second && twoFactor;
  const providers = onlySecond || user.password_hash !== null ? [] : (await listIdentitiesForUser(user.id))
    .map((i) => findEnabledProvider(ctx.config, i.provider, ctx.settings.current()))
    .filter((p): p is NonNullable<typeof p> => Boolean(p))
    .map((p) => ({ name: p.name, label: p.label }));
  // Organizations' identity providers this account has an identity at (src/services/sso/).
  const linked = onlySecond || user.password_hash !== null ? [] : await listIdentitiesForUser(user.id);
  const sso = linked.length ? (await listSsoOrganizationsForUser(user.id)).filter((o) => linked.some((i) => i.provider === ssoProviderKey(o.id))) : [];
  return { password: !onlySecond && user.password_hash !== null, code: twoFactor, providers, sso };
}

/**
 * GET /settings/reauthenticate — asks for a fresh proof of identity before a sensitive action (and
 * again, for the same action, on a 422).
 */
export function showReauthenticate(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const { returnTo, second } = target(formValues(res, req.query));
    res.render("auth/reauthenticate", { title: "Confirm it's you", returnTo, second, ways: await waysFor(ctx, req, second), values: {} });
  };
}

/**
 * POST /settings/reauthenticate — the password (sharing the sign-in's per-account guess budget) or
 * a second-factor code (sharing its own budget) opens sensitive actions in this session for
 * RECENT_AUTH_MS, then goes back to the page the action is on. The action itself is not replayed.
 */
export function submitReauthenticate(ctx: AppContext) {
  return async (req: Valid<typeof ReauthForm>, res: Response) => {
    const form = req.body;
    const { returnTo, second } = target(form);
    const user = req.user!;
    const ways = await waysFor(ctx, req, second);
    const meta = requestMeta(req);
    if (form.method === "password") {
      if (!ways.password) throw new ValidationError({ _form: "Confirm with a code from your authenticator app." });
      if (!(await checkCurrentPassword(ctx, user, form.password))) throw new ValidationError({ password: "That is not your password." });
    } else {
      if (!ways.code) throw new ValidationError({ _form: "Two-factor authentication is not on for this account." });
      if (!(await verifySecondFactor(ctx, user, form.code, "reauthenticate", meta))) {
        throw new ValidationError({ code: "That code is not right, or it was already used." });
      }
    }
    markReauthenticated(req, form.method === "code");
    await recordSecurityEvent(user.id, "reauthenticated", meta, { method: form.method });
    res.redirect(returnTo);
  };
}
