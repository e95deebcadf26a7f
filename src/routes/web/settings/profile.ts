import type { Request, Response } from "express";
import type { UserRow } from "../../../db/users";
import { flash } from "../../../http/flash";
import { keptValues, parseBody } from "../../../http/validate";
import type { FieldErrors } from "../../../lib/errors";
import { gravatarUrl, initials } from "../../../lib/avatar";
import { BIO_MAX, DISPLAY_NAME_MAX, LINK_FIELDS, ProfileForm, updateProfile } from "../../../services/profile";
import { requestMeta } from "../../../http/request-meta";

/** The form's values as stored: one input per link slot. */
function storedValues(user: UserRow): Record<string, string> {
  const values: Record<string, string> = { display_name: user.display_name, bio: user.bio, profile_public: user.profile_public ? "on" : "", gravatar_public: user.gravatar_public ? "on" : "" };
  LINK_FIELDS.forEach((name, i) => (values[name] = user.links[i] ?? ""));
  return values;
}

function render(res: Response, user: UserRow, values: Record<string, string>, errors: FieldErrors, status = 200) {
  res.status(status).render("settings/profile/index", {
    title: "Profile",
    section: "profile",
    values,
    errors,
    linkFields: LINK_FIELDS,
    limits: { displayName: DISPLAY_NAME_MAX, bio: BIO_MAX },
    avatar: { url: gravatarUrl(user.email), initials: initials(user.display_name, user.username) },
    publicUrl: `/u/${user.username}`,
  });
}

/** GET /settings/profile — display name, bio, links, avatar and the public-profile toggle. */
export function showProfileSettings(req: Request, res: Response) {
  render(res, req.user!, storedValues(req.user!), {});
}

/** POST /settings/profile — saves the profile; only ProfileForm's fields are read. */
export async function submitProfileSettings(req: Request, res: Response) {
  const user = req.user!;
  const parsed = parseBody(ProfileForm, req.body);
  if (!parsed.ok) return render(res, user, keptValues(req.body), parsed.errors, 422);
  await updateProfile(user, parsed.data, requestMeta(req));
  flash(req, "success", "Your profile has been saved.");
  res.redirect("/settings/profile");
}
