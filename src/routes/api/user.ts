import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { principalUser } from "../../auth/bearer";
import type { UserRow } from "../../db/users";
import { consumeOrThrow } from "../../services/rate-limits";
import { ValidationError, type FieldErrors } from "../../lib/errors";
import { pendingEmailChange, requestEmailChange } from "../../services/email-change";
import { LINK_FIELDS, ProfileForm, updateProfile, type ProfileInput } from "../../services/profile";
import { checkCurrentPassword } from "../../services/reauthenticate";
import { requestMeta } from "../../http/request-meta";
import { changeUsername } from "../../services/username-change";
import { validBody } from "./body";
import { presentUser } from "./presenters/user";
import { PatchUserBody } from "./schemas";

async function sendUser(res: Response, user: UserRow) {
  const pending = await pendingEmailChange(user.id);
  res.json({ data: presentUser(user, pending?.email ?? null) });
}

/** GET /api/v1/user — the user the token belongs to (its pending email change read with the token). */
export function showUser(req: Request, res: Response) {
  const user = principalUser(req);
  const pending = req.principal?.kind === "user" ? req.principal.pendingEmail : null;
  res.json({ data: presentUser(user, pending) });
}

/**
 * The profile as it would be after the patch, checked by the web form's own schema (same limits,
 * same refusal of control characters and non-http links). Undefined when no profile field is sent.
 */
function patchedProfile(user: UserRow, body: { display_name?: string; bio?: string; links?: string[]; profile_public?: boolean; gravatar_public?: boolean }): ProfileInput | undefined {
  if (body.display_name === undefined && body.bio === undefined && body.links === undefined && body.profile_public === undefined && body.gravatar_public === undefined) return undefined;
  const links = body.links ?? user.links;
  const form: Record<string, string | undefined> = {
    display_name: body.display_name ?? user.display_name,
    bio: body.bio ?? user.bio,
    profile_public: (body.profile_public ?? user.profile_public) ? "on" : undefined,
    gravatar_public: (body.gravatar_public ?? user.gravatar_public) ? "on" : undefined,
  };
  LINK_FIELDS.forEach((field, i) => (form[field] = links[i] ?? ""));
  const parsed = ProfileForm.safeParse(form);
  if (parsed.success) return parsed.data;
  const fields: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0]);
    fields[key.startsWith("link_") ? "links" : key] ??= issue.message;
  }
  throw new ValidationError(fields);
}

/**
 * PATCH /api/v1/user — changes any of username, display name, bio, links and profile visibility,
 * and starts an email change. Everything is checked before anything is written. The email rule is
 * the web's: the current password is required (a stolen token alone cannot move the account to
 * another address), and the address only changes once the link mailed to it is followed; until
 * then the reply shows it as `pending_email`.
 */
export function updateUserProfile(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    let user = principalUser(req);
    const body = validBody(PatchUserBody, req.body);
    const meta = requestMeta(req);
    const profile = patchedProfile(user, body);
    const newEmail = body.email !== undefined && body.email.toLowerCase() !== user.email.toLowerCase() ? body.email : undefined;
    if (newEmail !== undefined) {
      if (!user.password_hash) throw new ValidationError({ email: "Set a password first (on the Password settings page): changing your email address asks for it." });
      if (!body.current_password) throw new ValidationError({ current_password: "Enter your current password to change your email address." });
      if (!(await checkCurrentPassword(ctx, user, body.current_password))) throw new ValidationError({ current_password: "That is not your current password." });
    }
    if (body.username !== undefined && body.username !== user.username) {
      const renamed = await changeUsername(user, body.username, meta);
      if (!renamed.ok) throw new ValidationError(renamed.errors);
      user = renamed.user;
    }
    if (profile) user = await updateProfile(user, profile, meta);
    if (newEmail !== undefined) {
      await consumeOrThrow(ctx.limits.emailPerIp, req.ip ?? "unknown");
      await consumeOrThrow(ctx.limits.emailPerAccount, `email-change:${user.id}`);
      await requestEmailChange(ctx, user, newEmail, meta);
    }
    await sendUser(res, user);
  };
}
