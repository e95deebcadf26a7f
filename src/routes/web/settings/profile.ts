import type { Request, Response } from "express";
import { z } from "zod";
import { findProviderAvatarForUser } from "../../../db/avatars";
import { listPicturedIdentitiesForUser, type PicturedIdentity } from "../../../db/identities";
import type { UserRow } from "../../../db/users";
import { flash } from "../../../http/flash";
import { formValues, type Valid } from "../../../http/validate";
import { avatarFor, gravatarUrl, initials } from "../../../lib/avatar";
import { BIO_MAX, bioSchema, DISPLAY_NAME_MAX, displayNameSchema, linkSchema, storedLinks } from "../../../lib/profile-fields";
import { providerLabel } from "../../../services/external-sign-in";
import { updateProfile, type AvatarChoice } from "../../../services/profile";
import { requestMeta } from "../../../http/request-meta";

/** Names of the link inputs on the profile form, one per allowed link. */
const LINK_FIELDS = ["link_1", "link_2", "link_3", "link_4"] as const;

const checkbox = z.literal("on", "Tick the box or leave it empty.").optional();

/**
 * The avatar radio: "identity-<id>" (that identity's picture), "provider" (the picture of whichever
 * identity has one), "gravatar" or "initials". Whether the identity is the person's own is checked
 * by the service (and the database).
 */
const avatarField = z
  .string("Choose a picture.")
  .regex(/^(provider|gravatar|initials|identity-[1-9][0-9]{0,17})$/, "Choose one of the pictures listed.")
  .optional()
  .transform((v): AvatarChoice | undefined => {
    if (v === undefined) return undefined;
    if (v.startsWith("identity-")) return { avatar_source: "provider", avatar_identity_id: Number(v.slice("identity-".length)) };
    return { avatar_source: v as AvatarChoice["avatar_source"], avatar_identity_id: null };
  });

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
    avatar: avatarField,
  })
  .transform((f) => ({
    ...f.avatar,
    display_name: f.display_name,
    bio: f.bio,
    links: storedLinks(LINK_FIELDS.map((k) => f[k])),
    profile_public: f.profile_public === "on",
    gravatar_public: f.gravatar_public === "on",
  }));

/** The form's values as stored: one input per link slot; the avatar radio on the picture shown now. */
function storedValues(user: UserRow, pictured: PicturedIdentity[], shownUrl: string | null): Record<string, string> {
  const shown = pictured.find((i) => i.id === user.avatar_identity_id) ?? pictured.find((i) => i.avatar_url === shownUrl);
  const avatar = user.avatar_source !== "provider" ? user.avatar_source : shown ? `identity-${shown.id}` : "provider";
  const values: Record<string, string> = { display_name: user.display_name, bio: user.bio, profile_public: user.profile_public ? "on" : "", gravatar_public: user.gravatar_public ? "on" : "", avatar };
  LINK_FIELDS.forEach((name, i) => (values[name] = user.links[i] ?? ""));
  return values;
}

/** GET /settings/profile — display name, bio, links, avatar and the public-profile toggle (and the form again on a 422). */
export async function showProfileSettings(req: Request, res: Response) {
  const user = req.user!;
  // A page view takes the picture read with the session's user (no second query). The form shown
  // again after a POST reads it afresh: on the request that saved the choice, the session's copy is
  // the old one.
  const fromSession = req.method === "GET" && user.provider_avatar_url !== undefined;
  const [pictured, providerUrl] = await Promise.all([
    listPicturedIdentitiesForUser(user.id),
    fromSession ? (user.provider_avatar_url ?? null) : findProviderAvatarForUser(user.id),
  ]);
  const letters = initials(user.display_name, user.username);
  res.render("settings/profile/index", {
    title: "Profile",
    section: "profile",
    values: formValues(res, storedValues(user, pictured, providerUrl)),
    linkFields: LINK_FIELDS,
    limits: { displayName: DISPLAY_NAME_MAX, bio: BIO_MAX },
    avatar: avatarFor({ ...user, provider_avatar_url: providerUrl }, "owner"),
    avatarChoices: [
      ...pictured.map((i) => ({ value: `identity-${i.id}`, label: `${providerLabel(i.provider)} picture`, detail: i.provider_username, avatar: { url: i.avatar_url, initials: letters } })),
      ...(pictured.length ? [] : [{ value: "provider", label: "The picture of an account you connect", detail: "GitHub, GitLab, Atlassian or Google", avatar: { url: null, initials: letters } }]),
      { value: "gravatar", label: "Gravatar", detail: user.email, avatar: { url: gravatarUrl(user.email), initials: letters } },
      { value: "initials", label: "Initials", detail: letters, avatar: { url: null, initials: letters } },
    ],
    publicUrl: `/u/${user.username}`,
  });
}

/** POST /settings/profile — saves the profile. */
export async function submitProfileSettings(req: Valid<typeof ProfileForm>, res: Response) {
  await updateProfile(req.user!, req.body, requestMeta(req));
  flash(req, "success", "Your profile has been saved.");
  res.redirect("/settings/profile");
}
