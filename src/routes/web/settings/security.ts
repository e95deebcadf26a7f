import type { Request, Response } from "express";
import type {} from "../../../http/session-keys";
import type { InstanceSettings } from "../../../services/instance-settings";
import { z } from "zod";
import type { AppContext } from "../../../context";
import { countUnusedRecoveryCodesForUser } from "../../../db/recovery-codes";
import { findTotpCredentialForUser } from "../../../db/totp-credentials";
import { flash } from "../../../http/flash";
import { renewSessionId } from "../../../http/sign-in";
import { requestMeta } from "../../../http/request-meta";
import type { Valid } from "../../../http/validate";
import { beginTotpSetup, disableTwoFactor, enableTotp, findTotpSetup, regenerateRecoveryCodes } from "../../../services/two-factor";

/** POST /settings/security/totp/enable: the code the app shows. */
export const EnableForm = z.object({
  code: z.string().trim().min(1, "Enter the 6-digit code your app shows.").max(16, "Enter the 6-digit code your app shows."),
});

/** GET /settings/security — two-factor status, or the set-up in progress (QR code and secret); the set-up again on a 422. */
export function showSecuritySettings(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const user = req.user!;
    const row = await findTotpCredentialForUser(user.id);
    const enabled = Boolean(row?.enabled_at);
    res.render("settings/security/index", {
      title: "Security",
      section: "security",
      enabled,
      required: ctx.settings.current().requireTwoFactor,
      enabledAt: row?.enabled_at ?? null,
      codesLeft: enabled ? await countUnusedRecoveryCodesForUser(user.id) : 0,
      setup: enabled ? undefined : await findTotpSetup(ctx, user),
    });
  };
}

/** POST /settings/security/totp/setup — a fresh secret for a new set-up (after a fresh proof of identity). */
export function submitTotpSetup(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    if (!(await beginTotpSetup(ctx, req.user!))) flash(req, "info", "Two-factor authentication is already on.");
    res.redirect("/settings/security");
  };
}

/**
 * POST /settings/security/totp/enable — a code from the app proves it holds the secret; then 2FA is
 * on, every other session is signed out, this one gets a new id, and the recovery codes are shown.
 */
export function submitTotpEnable(ctx: AppContext) {
  return async (req: Valid<typeof EnableForm>, res: Response) => {
    const recoveryCodes = await enableTotp(ctx, req.user!, req.body.code, req.sessionID, requestMeta(req));
    await renewSessionId(req);
    req.session.newRecoveryCodes = recoveryCodes;
    flash(req, "success", "Two-factor authentication is on. Every other session was signed out.");
    res.redirect("/settings/security/recovery-codes");
  };
}

/** GET /settings/security/recovery-codes — the codes just made, once; afterwards only how many are left. */
export function showRecoveryCodes(req: Request, res: Response) {
  const codes = req.session.newRecoveryCodes;
  if (!codes) return res.redirect("/settings/security");
  delete req.session.newRecoveryCodes;
  const text = `Gatehouse recovery codes for ${req.user!.username}\nEach code works once, instead of a code from your app.\n\n${codes.join("\n")}\n`;
  res.render("settings/security/recovery-codes", {
    title: "Recovery codes",
    section: "security",
    codes,
    download: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`,
  });
}

/** POST /settings/security/recovery-codes — a new set (needs a fresh second factor); the old set stops working. */
export async function submitRegenerateRecoveryCodes(req: Request, res: Response) {
  const codes = await regenerateRecoveryCodes(req.user!, requestMeta(req));
  if (!codes) {
    flash(req, "info", "Two-factor authentication is off, so there are no recovery codes.");
    return res.redirect("/settings/security");
  }
  req.session.newRecoveryCodes = codes;
  flash(req, "success", "Here is your new set of recovery codes. The old ones no longer work.");
  res.redirect("/settings/security/recovery-codes");
}

/** POST /settings/security/disable — turns 2FA off (needs a fresh second factor, not only the password). */
export async function submitDisableTwoFactor(req: Request, res: Response) {
  // An instance that requires 2FA for everyone keeps it on: turning it off would lock the account
  // out of every page but this one.
  if ((req.app.locals.instanceSettings as InstanceSettings).current().requireTwoFactor) {
    flash(req, "error", "This Gatehouse requires two-factor authentication for every account, so it cannot be turned off.");
    return res.redirect("/settings/security");
  }
  await disableTwoFactor(req.user!, requestMeta(req));
  flash(req, "success", "Two-factor authentication is off. Your authenticator entry and recovery codes no longer work.");
  res.redirect("/settings/security");
}
