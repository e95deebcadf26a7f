import type { Request, Response } from "express";
import type { AppContext } from "../../context";
import { principalUser } from "../../http/bearer";
import type { UserRow } from "../../db/users";
import { consumeOrThrow } from "../../services/rate-limits";
import { z } from "zod";
import { ValidationError } from "../../lib/errors";
import { emailSchema, handleSchema } from "../../lib/handles";
import { bioSchema, displayNameSchema, linkSchema, LINKS_MAX, storedLinks } from "../../lib/profile-fields";
import type { Valid } from "../../http/validate";
import { pendingEmailChange, requestEmailChange } from "../../services/email-change";
import { updateProfile, type ProfileInput } from "../../services/profile";
import { checkCurrentPassword } from "../../services/reauthenticate";
import { requestMeta } from "../../http/request-meta";
import { changeUsername } from "../../services/username-change";
import { presentUser } from "./presenters/user";

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
 * PATCH /api/v1/user: any subset of the fields. Profile fields follow the profile form's rules
 * (src/lib/profile-fields.ts); `email` starts the same confirmed change as the web and needs
 * `current_password`. Unknown fields are refused rather than silently ignored.
 */
export const PatchUserBody = z.strictObject({
  username: handleSchema.optional(),
  display_name: z.string("Use a string.").pipe(displayNameSchema).optional(),
  bio: z.string("Use a string.").pipe(bioSchema).optional(),
  links: z
    .array(z.string("Use strings.").pipe(linkSchema), "Use a list of web addresses.")
    .max(LINKS_MAX, `Use at most ${LINKS_MAX} links.`)
    .transform(storedLinks)
    .optional(),
  profile_public: z.boolean("Use true or false.").optional(),
  gravatar_public: z.boolean("Use true or false.").optional(),
  email: emailSchema.optional(),
  current_password: z.string("Use a string.").max(1024, "That password is too long.").optional().meta({ description: "Required with email" }),
});

type PatchUser = z.output<typeof PatchUserBody>;

/** The profile as it would be after the patch, or undefined when no profile field is sent. */
function patchedProfile(user: UserRow, body: PatchUser): ProfileInput | undefined {
  const { display_name, bio, links, profile_public, gravatar_public } = body;
  if ([display_name, bio, links, profile_public, gravatar_public].every((v) => v === undefined)) return undefined;
  return {
    display_name: display_name ?? user.display_name,
    bio: bio ?? user.bio,
    links: links ?? user.links,
    profile_public: profile_public ?? user.profile_public,
    gravatar_public: gravatar_public ?? user.gravatar_public,
  };
}

/**
 * PATCH /api/v1/user — changes any of username, display name, bio, links and profile visibility,
 * and starts an email change. Everything is checked before anything is written. The email rule is
 * the web's: the current password is required (a stolen token alone cannot move the account to
 * another address), and the address only changes once the link mailed to it is followed; until
 * then the reply shows it as `pending_email`.
 */
export function updateUserProfile(ctx: AppContext) {
  return async (req: Valid<typeof PatchUserBody>, res: Response) => {
    let user = principalUser(req);
    const body = req.body;
    const meta = requestMeta(req);
    const profile = patchedProfile(user, body);
    const newEmail = body.email !== undefined && body.email.toLowerCase() !== user.email.toLowerCase() ? body.email : undefined;
    if (newEmail !== undefined) {
      if (!user.password_hash) throw new ValidationError({ email: "Set a password first (on the Password settings page): changing your email address asks for it." });
      if (!body.current_password) throw new ValidationError({ current_password: "Enter your current password to change your email address." });
      if (!(await checkCurrentPassword(ctx, user, body.current_password))) throw new ValidationError({ current_password: "That is not your current password." });
    }
    if (body.username !== undefined && body.username !== user.username) {
      user = await changeUsername(user, body.username, meta);
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
