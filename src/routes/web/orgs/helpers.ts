import type { Request, Response } from "express";
import { flash } from "../../../http/flash";
import type { AvatarFields } from "../../../db/avatars";
import { avatarFor, initialsAvatar, type Avatar } from "../../../lib/avatar";
import { ConflictError } from "../../../lib/errors";

/**
 * Runs a state change and answers Post/Redirect/Get: the success message, or the rule that refused
 * it (last owner, ...) as an error message on the same page. Other errors go to the error page.
 */
export async function actThenRedirect(req: Request, res: Response, back: string, work: () => Promise<string>): Promise<void> {
  try {
    const message = await work();
    flash(req, "success", message);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    flash(req, "error", err.message);
  }
  res.redirect(back);
}

/** The path of an organization page. */
export const orgPath = (slug: string, rest = "") => `/orgs/${encodeURIComponent(slug)}${rest}`;

/** "an owner", "an admin", "a member". */
export const roleWithArticle = (role: string) => (role === "member" ? "a member" : `an ${role}`);

/** A member's avatar as the viewer sees it (their own as its owner does). */
export function memberAvatar(avatars: Map<number, AvatarFields>, member: { user_id: number; username: string; display_name: string }, viewerId: number): Avatar {
  const fields = avatars.get(member.user_id);
  return fields ? avatarFor(fields, member.user_id === viewerId ? "owner" : "others") : initialsAvatar(member);
}
