import type { z } from "zod";
import type { UserRow } from "../../../db/users";
import type { UserResource } from "../schemas";

/**
 * The API view of a user: chosen fields only (never the password hash or internal columns), with
 * the address of a pending email change when there is one.
 */
export function presentUser(user: UserRow, pendingEmail: string | null): z.infer<typeof UserResource> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_confirmed: user.email_confirmed_at !== null,
    display_name: user.display_name,
    bio: user.bio ?? "",
    links: user.links ?? [],
    profile_public: user.profile_public ?? false,
    gravatar_public: user.gravatar_public ?? false,
    pending_email: pendingEmail,
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
  };
}
