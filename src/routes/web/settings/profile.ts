import type { Request, Response } from "express";
import { z } from "zod";
import type { UserRow } from "../../../db/users";
import { flash } from "../../../http/flash";
import { formValues, type Valid } from "../../../http/validate";
import { gravatarUrl, initials } from "../../../lib/avatar";
import { BIO_MAX, bioSchema, DISPLAY_NAME_MAX, displayNameSchema, linkSchema, storedLinks } from "../../../lib/profile-fields";
import { updateProfile } from "../../../services/profile";
import { requestMeta } from "../../../http/request-meta";

/** Names of the link inputs on the profile form, one per allowed link. */
const LINK_FIELDS = ["link_1", "link_2", "link_3", "link_4"] as const;

const checkbox = z.literal("on", "Tick the box or leave it empty.").optional();

/**
 * POST /settings/profile. Only these fields are read from the request: anything else posted
 * (email, username, id, password_hash...) is dropped by zod, so the form cannot be used to write
 * other columns (no mass assignment).
 */
export const ProfileForm = z
  .object({
    display_name: displayNameSchema.default(""),
    bio: bioSchema.default(""),
    link_1: linkSchema.default(""),
    link_2: linkSchema.default(""),
    link_3: linkSchema.default(""),
    link_4: linkSchema.default(""),
    profile_public: checkbox,
    gravatar_public: checkbox,
  })
  .transform((f) => ({
    display_name: f.display_name,
    bio: f.bio,
    links: storedLinks(LINK_FIELDS.map((k) => f[k])),
    profile_public: f.profile_public === "on",
    gravatar_public: f.gravatar_public === "on",
  }));

/** The form's values as stored: one input per link slot. */
function storedValues(user: UserRow): Record<string, string> {
  const values: Record<string, string> = { display_name: user.display_name, bio: user.bio, profile_public: user.profile_public ? "on" : "", gravatar_public: user.gravatar_public ? "on" : "" };
  LINK_FIELDS.forEach((name, i) => (values[name] = user.links[i] ?? ""));
  return values;
}

/** GET /settings/profile — display name, bio, links, avatar and the public-profile toggle (and the form again on a 422). */
export function showProfileSettings(req: Request, res: Response) {
  const user = req.user!;
  res.render("settings/profile/index", {
    title: "Profile",
    section: "profile",
    values: formValues(res, storedValues(user)),
    linkFields: LINK_FIELDS,
    limits: { displayName: DISPLAY_NAME_MAX, bio: BIO_MAX },
    avatar: { url: gravatarUrl(user.email), initials: initials(user.display_name, user.username) },
    publicUrl: `/u/${user.username}`,
  });
}

/** POST /settings/profile — saves the profile. */
export async function submitProfileSettings(req: Valid<typeof ProfileForm>, res: Response) {
  await updateProfile(req.user!, req.body, requestMeta(req));
  flash(req, "success", "Your profile has been saved.");
  res.redirect("/settings/profile");
}
