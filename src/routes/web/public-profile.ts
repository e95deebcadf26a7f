import type { Request, Response } from "express";
import { findProviderAvatarForUser } from "../../db/avatars";
import { findUserByUsername } from "../../db/users";
import { avatarFor } from "../../lib/avatar";
import { notFound } from "../../lib/errors";
import { linkLabel } from "../../lib/profile-links";

/**
 * GET /u/:username — a user's public profile. Private profiles, unconfirmed accounts and unknown
 * names all get the same 404, so the page does not tell whether an account exists unless its owner
 * chose to show it. The one exception is the owner, signed in, looking at their own private
 * profile: they see a preview marked as visible only to them (it tells them nothing new). The email address is never shown, nor a hash of it: the Gravatar image (whose
 * URL is the address's SHA-256, which anyone can match against addresses they know) appears only
 * when the owner chose it as their avatar and turned on showing it; otherwise the initials do. A
 * chosen provider picture shows as it does everywhere else.
 */
export async function showPublicProfile(req: Request, res: Response) {
  const user = await findUserByUsername(String(req.params.username));
  if (!user || !user.email_confirmed_at) throw notFound();
  const isOwner = req.user?.id === user.id;
  if (!user.profile_public && !isOwner) throw notFound();
  res.render("profile/show", {
    title: user.display_name || user.username,
    profile: {
      username: user.username,
      displayName: user.display_name,
      bio: user.bio,
      links: user.links.map((href) => ({ href, label: linkLabel(href) })),
      joined: user.created_at,
    },
    avatar: avatarFor({ ...user, provider_avatar_url: await findProviderAvatarForUser(user.id) }, "others"),
    isOwner,
    preview: !user.profile_public,
  });
}
