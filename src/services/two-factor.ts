import type { AppContext } from "../context";
import { db } from "../db/knex";
import { endSessionsForUser } from "../db/sessions";
import type { UserRow } from "../db/users";
import {
  claimTotpStepForUser, deleteTotpCredentialForUser, enableTotpForUser, findTotpCredentialForUser, startTotpSetupForUser,
} from "../db/totp-credentials";
import { countUnusedRecoveryCodesForUser, deleteRecoveryCodesForUser, replaceRecoveryCodesForUser, useRecoveryCodeForUser } from "../db/recovery-codes";
import { recoveryCodeUsedMail } from "../emails/recovery-code-used";
import { hashRecoveryCode, looksLikeTotpCode, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, totpQrDataUrl, totpStepOf, totpUri } from "../auth/totp";
import { ValidationError } from "../lib/errors";
import type { RequestMeta } from "./request-meta";
import { recordSecurityEvent } from "./security-log";
import { clearTwoFactorAttempts, reserveTwoFactorAttempt } from "./two-factor-attempts";

/** What the set-up page shows: the secret as text and as a QR code of its otpauth:// URI. */
export interface TotpSetup {
  secret: string;
  qrDataUrl: string;
}

/** Starts a TOTP set-up with a fresh secret (replacing an unconfirmed one); false when 2FA is already on. */
export async function beginTotpSetup(ctx: AppContext, user: Pick<UserRow, "id">): Promise<boolean> {
  return startTotpSetupForUser(user.id, ctx.secretBox.seal(newTotpSecret()));
}

/** The set-up in progress, to show; undefined when none is (or 2FA is already on). */
export async function findTotpSetup(ctx: AppContext, user: Pick<UserRow, "id" | "username">): Promise<TotpSetup | undefined> {
  const row = await findTotpCredentialForUser(user.id);
  if (!row || row.enabled_at) return undefined;
  const secret = ctx.secretBox.open(row.secret_encrypted);
  if (!secret) return undefined;
  return { secret, qrDataUrl: await totpQrDataUrl(totpUri(secret, user.username, "Gatehouse")) };
}

const SETUP_GONE = "Start the set-up again: this one is no longer current.";

/**
 * Turns 2FA on once the app shows it holds the secret (a valid code), in one transaction: the
 * credential enabled with that code's step used up, a new set of recovery codes, every other
 * session of the user ended (one signed in before 2FA could be a thief's, and would otherwise keep
 * its access without ever meeting the second factor), and the security-log entry. Gives back the
 * recovery codes; a wrong code, or a set-up that is no longer current, is a ValidationError on `code`.
 */
export async function enableTotp(ctx: AppContext, user: Pick<UserRow, "id">, code: string, currentSid: string, meta: RequestMeta): Promise<string[]> {
  const row = await findTotpCredentialForUser(user.id);
  if (!row || row.enabled_at) throw new ValidationError({ code: SETUP_GONE });
  const secret = ctx.secretBox.open(row.secret_encrypted);
  const step = secret ? await totpStepOf(secret, code) : undefined;
  if (step === undefined) throw new ValidationError({ code: "That code is not right. Check that the app shows Gatehouse and enter the code it shows now." });
  const recoveryCodes = newRecoveryCodes();
  const enabled = await db.transaction(async (trx) => {
    if (!(await enableTotpForUser(user.id, row.secret_encrypted, step, trx))) return false;
    await replaceRecoveryCodesForUser(user.id, recoveryCodes.map((c) => hashRecoveryCode(normalizeRecoveryCode(c)!)), trx);
    const ended = await endSessionsForUser(user.id, currentSid, trx);
    await recordSecurityEvent(user.id, "two_factor.enabled", meta, { method: "totp", sessions_ended: ended }, trx);
    return true;
  });
  if (!enabled) throw new ValidationError({ code: SETUP_GONE });
  return recoveryCodes;
}

/** Turns 2FA off: the credential and every recovery code go. */
export async function disableTwoFactor(user: Pick<UserRow, "id">, meta: RequestMeta): Promise<void> {
  await db.transaction(async (trx) => {
    if (!(await deleteTotpCredentialForUser(user.id, trx))) return;
    await deleteRecoveryCodesForUser(user.id, trx);
    await recordSecurityEvent(user.id, "two_factor.disabled", meta, {}, trx);
  });
}

/** A new set of recovery codes; the old set stops working in the same transaction. Undefined when 2FA is off. */
export async function regenerateRecoveryCodes(user: Pick<UserRow, "id">, meta: RequestMeta): Promise<string[] | undefined> {
  const codes = newRecoveryCodes();
  const done = await db.transaction(async (trx) => {
    const row = await findTotpCredentialForUser(user.id, trx);
    if (!row?.enabled_at) return false;
    await replaceRecoveryCodesForUser(user.id, codes.map((c) => hashRecoveryCode(normalizeRecoveryCode(c)!)), trx);
    await recordSecurityEvent(user.id, "two_factor.recovery_codes_regenerated", meta, {}, trx);
    return true;
  });
  return done ? codes : undefined;
}

/** How the second factor was proven. */
export type SecondFactorMethod = "totp" | "recovery_code";

/**
 * Checks a second-factor code typed by `user`: a TOTP code (accepted once: its time step is
 * claimed in one UPDATE, so a replay, or the same code sent twice at once, fails) or an unused
 * recovery code (used up in one UPDATE: of two parallel uses exactly one wins). Spends one guess of
 * the per-account budget first (throws RateLimitedError when it is used up). A used recovery code
 * mails a notice, with a warning when two or fewer are left. `purpose` goes to the security log.
 */
export async function verifySecondFactor(
  ctx: AppContext, user: Pick<UserRow, "id" | "email" | "username">, typed: string, purpose: "sign_in" | "reauthenticate", meta: RequestMeta,
): Promise<SecondFactorMethod | undefined> {
  await reserveTwoFactorAttempt(ctx, user.id);
  const method = looksLikeTotpCode(typed) ? await checkTotp(ctx, user.id, typed) : await useRecoveryCode(ctx, user, typed, meta);
  if (method) {
    await clearTwoFactorAttempts(ctx, user.id);
    await recordSecurityEvent(user.id, "two_factor.used", meta, { method, purpose });
  } else {
    await recordSecurityEvent(user.id, "two_factor.failed", meta, { purpose });
  }
  return method;
}

async function checkTotp(ctx: AppContext, userId: number, code: string): Promise<SecondFactorMethod | undefined> {
  const row = await findTotpCredentialForUser(userId);
  if (!row?.enabled_at) return undefined;
  const secret = ctx.secretBox.open(row.secret_encrypted);
  const step = secret ? await totpStepOf(secret, code) : undefined;
  if (step === undefined) return undefined;
  return (await claimTotpStepForUser(userId, step)) ? "totp" : undefined;
}

async function useRecoveryCode(ctx: AppContext, user: Pick<UserRow, "id" | "email" | "username">, typed: string, meta: RequestMeta): Promise<SecondFactorMethod | undefined> {
  const code = normalizeRecoveryCode(typed);
  if (!code) return undefined;
  const used = await db.transaction(async (trx) => {
    if (!(await useRecoveryCodeForUser(user.id, hashRecoveryCode(code), trx))) return false;
    const left = await countUnusedRecoveryCodesForUser(user.id, trx);
    await ctx.mail.queue(recoveryCodeUsedMail({ userId: user.id, to: user.email, username: user.username, left, ip: meta.ip }), trx);
    return true;
  });
  if (!used) return undefined;
  return "recovery_code";
}
