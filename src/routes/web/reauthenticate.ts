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
import { parseBody } from "../../http/validate";
import { checkCurrentPassword } from "../../services/reauthenticate";
import { recordSecurityEvent } from "../../services/security-log";
import { verifySecondFactor } from "../../services/two-factor";

const ReauthForm = z.discriminatedUnion("method", [
  z.object({ method: z.literal("password"), password: z.string().min(1, "Enter your password.").max(1024, "That password is too long.") }),
  z.object({ method: z.literal("code"), code: z.string().trim().min(1, "Enter the code from your app.").max(64, "That is too long to be a code.") }),
], { error: "Choose how to confirm it's you." });

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

async function render(ctx: AppContext, req: Request, res: Response, status: number, source: Record<string, unknown>, errors: Record<string, string> = {}) {
  const { returnTo, second } = target(source);
  res.status(status).render("auth/reauthenticate", {
    title: "Confirm it's you", returnTo, second, ways: await waysFor(ctx, req, second), errors, values: {},
  });
}

/** GET /settings/reauthenticate — asks for a fresh proof of identity before a sensitive action. */
export function showReauthenticate(ctx: AppContext) {
  return (req: Request, res: Response) => render(ctx, req, res, 200, req.query);
}

/**
 * POST /settings/reauthenticate — the password (sharing the sign-in's per-account guess budget) or
 * a second-factor code (sharing its own budget) opens sensitive actions in this session for
 * RECENT_AUTH_MS, then goes back to the page the action is on. The action itself is not replayed.
 */
export function submitReauthenticate(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { returnTo, second } = target(body);
    const parsed = parseBody(ReauthForm, body);
    if (!parsed.ok) return render(ctx, req, res, 422, body, parsed.errors);
    const user = req.user!;
    const ways = await waysFor(ctx, req, second);
    const meta = requestMeta(req);
    if (parsed.data.method === "password") {
      if (!ways.password) return render(ctx, req, res, 422, body, { _form: "Confirm with a code from your authenticator app." });
      if (!(await checkCurrentPassword(ctx, user, parsed.data.password))) return render(ctx, req, res, 422, body, { password: "That is not your password." });
    } else {
      if (!ways.code) return render(ctx, req, res, 422, body, { _form: "Two-factor authentication is not on for this account." });
      if (!(await verifySecondFactor(ctx, user, parsed.data.code, "reauthenticate", meta))) {
        return render(ctx, req, res, 422, body, { code: "That code is not right, or it was already used." });
      }
    }
    markReauthenticated(req, parsed.data.method === "code");
    await recordSecurityEvent(user.id, "reauthenticated", meta, { method: parsed.data.method });
    res.redirect(returnTo);
  };
}
